/**
 * zod schemas of the ModelArk / Volcengine Ark video task API (shared/modelark-api.md). The create
 * request is checked as strictly as the server checks body fields, plus the documented cross-field
 * rules, so a request it would refuse is refused here before anything is sent. Answers are
 * tolerant: extra fields are dropped, and every field but `id` and `status` may be absent or null.
 */
import { z } from 'zod';
import { taskIdSchema } from '../schemas';
import {
  RESOLUTIONS,
  durationSchema,
  executionExpiresAfterSchema,
  ratioSchema,
  seedSchema,
  videoRequestContentSchema,
} from '../video-request';
import { isResellerModelName } from './models';

export const MODELARK_TASK_STATUSES = ['queued', 'running', 'cancelled', 'succeeded', 'failed', 'expired'] as const;
export type ModelArkTaskStatus = (typeof MODELARK_TASK_STATUSES)[number];

export const SERVICE_TIERS = ['default', 'flex'] as const;

/** A model id (`seedance-1-5-pro-251215`) or an endpoint id (`ep-20251215123456-abcde`). */
export const modelIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a model or endpoint id is 1-100 letters, digits, ".", "_" or "-"')
  .refine(
    (model) => !isResellerModelName(model),
    'is a reseller model name: ModelArk takes seedance-1-5-pro-251215 and a resolution (ModelArkProvider maps it)',
  );

/** Text, image (https or data:image, with a role) and draft_task items: the neutral request's, which are ModelArk's. */
export const contentItemSchema = videoRequestContentSchema;
export type ModelArkContentItem = z.infer<typeof contentItemSchema>;
type ImageRole = NonNullable<Extract<ModelArkContentItem, { type: 'image_url' }>['role']>;

const callbackUrl = z
  .string()
  .max(2048)
  .refine((url) => {
    try {
      const parsed = new URL(url);
      return ['http:', 'https:'].includes(parsed.protocol) && parsed.username === '' && parsed.password === '';
    } catch {
      return false;
    }
  }, 'callback_url is an http(s) URL without credentials');

const requestFields = z
  .object({
    model: modelIdSchema,
    content: z.array(contentItemSchema).min(1, 'content needs at least one item').max(10),
    callback_url: callbackUrl.optional(),
    return_last_frame: z.boolean().optional(),
    service_tier: z.enum(SERVICE_TIERS).optional(),
    execution_expires_after: executionExpiresAfterSchema.optional(),
    generate_audio: z.boolean().optional(),
    draft: z.boolean().optional(),
    resolution: z.enum(RESOLUTIONS).optional(),
    ratio: ratioSchema.optional(),
    duration: durationSchema.optional(),
    seed: seedSchema.optional(),
    camera_fixed: z.boolean().optional(),
    watermark: z.boolean().optional(),
  })
  .strict();

/**
 * The official SDK sends every unset option as `null`; the server accepts that, so do we. The
 * parsed request has no nulls left (top level and content items), and so neither does what we send.
 */
function withoutNulls(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === null) continue;
    out[key] = key === 'content' && Array.isArray(field) ? field.map(withoutNulls) : field;
  }
  return out;
}

type RequestFields = z.infer<typeof requestFields>;

/** The documented rules between fields; each problem as one zod issue. */
function checkCrossFieldRules(request: RequestFields, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });

  if (request.draft === true) {
    if (request.resolution === undefined) {
      issue('resolution', 'a draft needs resolution 480p, given explicitly (the default, 720p, is refused with draft)');
    } else if (request.resolution !== '480p') {
      issue('resolution', `a draft is 480p only, not ${request.resolution}`);
    }
    if (request.return_last_frame === true) issue('return_last_frame', 'a draft cannot return its last frame');
    if (request.service_tier === 'flex') issue('service_tier', 'a draft cannot use the flex tier');
  }

  const hasPrompt = request.content.some((item) => item.type === 'text' || item.type === 'draft_task');
  const images = request.content.filter((item) => item.type === 'image_url');
  if (!hasPrompt && images.length === 0) issue('content', 'content needs a text prompt, an image or a draft_task');
  const imageProblem = imageRuleProblem(images.map((image) => image.role ?? undefined));
  if (imageProblem !== undefined) issue('content', imageProblem);
}

/**
 * First-frame (one image, role absent or `first_frame`), first-and-last-frame (exactly
 * `first_frame` then `last_frame`) and reference-image (1-4 `reference_image`) modes do not mix.
 */
export function imageRuleProblem(roles: ReadonlyArray<ImageRole | undefined>): string | undefined {
  if (roles.length === 0) return undefined;
  const references = roles.filter((role) => role === 'reference_image').length;
  if (references > 0) {
    if (references < roles.length)
      return 'reference_image images cannot be mixed with first_frame or last_frame images';
    return roles.length > 4 ? 'at most 4 reference_image images' : undefined;
  }
  if (roles.length === 1) {
    return roles[0] === 'last_frame' ? 'a last_frame image needs a first_frame image before it' : undefined;
  }
  if (roles.length === 2) {
    return roles[0] === 'first_frame' && roles[1] === 'last_frame'
      ? undefined
      : 'two images are a first_frame image followed by a last_frame image (give both roles)';
  }
  return 'at most 2 images (first_frame, last_frame) unless all are reference_image';
}

/** `POST /contents/generations/tasks`. */
export const createRequestSchema = z.preprocess(withoutNulls, requestFields.superRefine(checkCrossFieldRules));

/** The create request as the API documents it; `null` is accepted for any option, as "not set". */
export type ModelArkCreateRequest = {
  [K in keyof z.input<typeof requestFields>]: undefined extends z.input<typeof requestFields>[K]
    ? z.input<typeof requestFields>[K] | null
    : z.input<typeof requestFields>[K];
};
/** The create request as validated and sent: no nulls. */
export type ModelArkCreateBody = RequestFields;

const unixSeconds = z.number().int().nonnegative();
const count = z.number().int().nonnegative();

/** The create answer: only the id (extra fields, such as `safety_identifier`, are dropped). */
export const createResponseSchema = z.object({ id: taskIdSchema });

/** A task as `GET /contents/generations/tasks/{id}`, the list and callbacks report it. */
export const taskSchema = z.object({
  id: taskIdSchema,
  status: z.enum(MODELARK_TASK_STATUSES),
  model: z.string().nullish(),
  error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
  created_at: unixSeconds.nullish(),
  updated_at: unixSeconds.nullish(),
  content: z.object({ video_url: z.string().nullish(), last_frame_url: z.string().nullish() }).nullish(),
  usage: z.object({ completion_tokens: count.nullish(), total_tokens: count.nullish() }).nullish(),
  resolution: z.string().nullish(),
  ratio: z.string().nullish(),
  duration: z.number().nullish(),
  frames: count.nullish(),
  framespersecond: z.number().positive().nullish(),
  seed: z.number().int().nullish(),
  generate_audio: z.boolean().nullish(),
  draft: z.boolean().nullish(),
  draft_task_id: z.string().nullish(),
  service_tier: z.string().nullish(),
  execution_expires_after: z.number().int().positive().nullish(),
});

export type ModelArkTask = z.infer<typeof taskSchema>;

export const listResponseSchema = z.object({
  items: z
    .array(taskSchema)
    .nullish()
    .transform((items) => items ?? []),
  total: count,
});

export type ModelArkTaskList = z.infer<typeof listResponseSchema>;

/**
 * `{"error":{"code","message","param","type"}}`. The official SDK also reads a body without the
 * `error` wrapper (`body.get("error", body)`), so that shape is accepted too.
 */
const errorFields = z.object({
  code: z.union([z.string(), z.number()]).nullish(),
  message: z.string().nullish(),
  param: z.string().nullish(),
  type: z.string().nullish(),
});
export const errorEnvelopeSchema = z.union([z.object({ error: errorFields }), errorFields]);
