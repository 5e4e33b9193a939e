/**
 * zod schemas for the Seedance 1.5 task API (see shared/seedance-api.md). Responses are tolerant
 * of extra fields (`.passthrough` is not needed: zod objects strip unknown keys) and strict on the
 * fields we use.
 */
import { z } from 'zod';
import { durationSchema, modelNameSchema, ratioSchema, seedSchema } from './video-request';

/** A task id is one safe token: it goes into a URL path and a workflow id. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
export const taskIdSchema = z.string().regex(TASK_ID_PATTERN, 'a task id is 1-128 letters, digits, "_" or "-"');

/** The reseller's statuses (a subset of the package's `TaskStatus`: it has no `expired`). */
export const RESELLER_TASK_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type ResellerTaskStatus = (typeof RESELLER_TASK_STATUSES)[number];

export { ratioSchema };

const httpsUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith('https://'), 'image URLs must be https');

export const textContentSchema = z.object({
  type: z.literal('text'),
  text: z.string().min(1, 'the prompt is empty').max(10_000, 'the prompt is longer than the API allows'),
});

export const imageContentSchema = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: httpsUrl }),
  role: z.enum(['first_frame', 'last_frame', 'reference_image']).optional(),
});

export const contentItemSchema = z.discriminatedUnion('type', [textContentSchema, imageContentSchema]);

/**
 * The create request. Documented fields are validated; the undocumented ones other resellers list
 * are accepted only in their documented shapes and sent only when the caller gives them.
 */
export const createVideoRequestSchema = z
  .object({
    model: modelNameSchema,
    content: z
      .array(contentItemSchema)
      .min(1, 'content needs at least one item')
      .max(10)
      .refine((items) => items.some((i) => i.type === 'text'), 'content needs at least one text item'),
    ratio: ratioSchema.optional(),
    duration: durationSchema.optional(),
    generate_audio: z.boolean().optional(),
    watermark: z.boolean().optional(),
    seed: seedSchema.optional(),
    camera_fixed: z.boolean().optional(),
    service_tier: z.enum(['default', 'flex']).optional(),
  })
  .strict();

/** The reseller's create request (`POST /v1/seedance/videos`). */
export type ResellerCreateRequest = z.infer<typeof createVideoRequestSchema>;

const unixSeconds = z.number().int().nonnegative();

/** The task as the create and query endpoints return it. */
export const taskSchema = z.object({
  id: taskIdSchema,
  object: z.literal('video').optional(),
  created: unixSeconds,
  model: z.string().min(1),
  status: z.enum(RESELLER_TASK_STATUSES),
  video_url: z.string().nullish(),
  actualDuration: z.number().nonnegative().nullish(),
  error: z.string().nullish(),
});

export type SeedanceTask = z.infer<typeof taskSchema>;

/** The JSON error body some deployments of this API send; parsed when present, never relied on. */
export const apiErrorBodySchema = z.object({
  error: z.union([
    z.string(),
    z.object({
      code: z.union([z.number(), z.string()]).optional(),
      message: z.string().optional(),
      type: z.string().optional(),
    }),
  ]),
});
