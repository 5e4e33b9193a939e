/**
 * The provider-neutral create request: what `generateSeedanceVideo` takes as `request`. It is the
 * union of what the providers accept, checked for shape here (in workflow code, before anything is
 * paid for); each provider's adapter then applies its own rules before sending (the reseller API
 * has no `resolution` or `draft`; ModelArk refuses a draft above 480p).
 *
 * `null` is accepted for every option and means "not set", as the official ModelArk SDK sends it.
 */
import { z } from 'zod';

/** The option fields every provider's request schema shares, with one wording of their rules. */
export const ratioSchema = z.enum(['16:9', '4:3', '1:1', '3:4', '9:16', '21:9', 'adaptive']);

export const durationSchema = z
  .number()
  .int()
  .refine((d) => d === -1 || (d >= 4 && d <= 12), 'duration is 4-12 seconds, or -1 to let the model choose');

export const seedSchema = z
  .number()
  .int()
  .min(-1)
  .max(2 ** 32 - 1);

/** A model (or endpoint) id as every provider writes it: `seedance_1_5_pro_720p`, `seedance-1-5-pro-251215`. */
export const modelNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9_.-]+$/, 'a model name is lower-case letters, digits, "_", "." or "-"');

export const RESOLUTIONS = ['480p', '720p', '1080p'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** ModelArk's documented range for `execution_expires_after`, in seconds. */
export const EXECUTION_EXPIRES_MIN_S = 3600;
export const EXECUTION_EXPIRES_MAX_S = 259_200;

export const executionExpiresAfterSchema = z
  .number()
  .int()
  .min(EXECUTION_EXPIRES_MIN_S, `execution_expires_after is at least ${EXECUTION_EXPIRES_MIN_S} s`)
  .max(EXECUTION_EXPIRES_MAX_S, `execution_expires_after is at most ${EXECUTION_EXPIRES_MAX_S} s`);

const httpsUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith('https://') || u.startsWith('data:image/'), 'image URLs must be https or data:image');

const textItem = z.object({
  type: z.literal('text'),
  text: z.string().min(1, 'the prompt is empty').max(10_000, 'the prompt is longer than the API allows'),
});

const imageItem = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: httpsUrl }),
  role: z.enum(['first_frame', 'last_frame', 'reference_image']).nullish(),
});

/** ModelArk only: a final render of an earlier draft task (Seedance 1.5 Pro). */
const draftTaskItem = z.object({
  type: z.literal('draft_task'),
  draft_task: z.object({ id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, 'a draft task id') }),
});

export const videoRequestContentSchema = z.discriminatedUnion('type', [textItem, imageItem, draftTaskItem]);

/** Drops `null` options so the rest of the package sees them as absent. */
function withoutNulls(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
}

export const videoRequestSchema = z.preprocess(
  withoutNulls,
  z
    .object({
      model: modelNameSchema,
      content: z
        .array(videoRequestContentSchema)
        .min(1, 'content needs at least one item')
        .max(10)
        .refine(
          (items) => items.some((i) => i.type === 'text' || i.type === 'draft_task'),
          'content needs at least one text item',
        ),
      ratio: ratioSchema.optional(),
      duration: durationSchema.optional(),
      generate_audio: z.boolean().optional(),
      watermark: z.boolean().optional(),
      seed: seedSchema.optional(),
      camera_fixed: z.boolean().optional(),
      service_tier: z.enum(['default', 'flex']).optional(),
      /** ModelArk: the output resolution (the reseller encodes it in the model name). */
      resolution: z.enum(RESOLUTIONS).optional(),
      /** ModelArk: a cheap 480p preview whose id a later request can render (`draft_task`). */
      draft: z.boolean().optional(),
      /** ModelArk: seconds after creation at which a task still queued or running expires. */
      execution_expires_after: executionExpiresAfterSchema.optional(),
      /** ModelArk: also return a PNG of the last frame, stored beside the video. */
      return_last_frame: z.boolean().optional(),
    })
    .strict(),
);

export type VideoRequest = z.infer<typeof videoRequestSchema>;
