/**
 * The ModelArk create body (shared/modelark-api.md section 2), validated like the real server:
 * body fields strictly (a bad value is a 400 `InvalidParameter` naming the `param`; a missing
 * `model` or `content` a 400 `MissingParameter`), `null` accepted for every optional field (the
 * official SDK sends unset options as null). Unknown top-level fields are refused too: the real
 * server's handling of them is undocumented, and refusing shows a client's typo in tests.
 * Text-embedded `--rs 720p` style parameters are left in the prompt, not interpreted.
 */
import type * as http from 'node:http';
import { z } from 'zod';
import { readBody } from '../create-request';
import { MODELARK_RATIOS, MODELARK_RESOLUTIONS } from './tasks';

/** The whole body; larger base64 images than this are not worth simulating (the documented cap is 64 MB). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** A model id the simulator answers 404 `InvalidEndpointOrModel.NotFound` to. */
export const UNKNOWN_MODEL = 'does-not-exist';
/** A word in a prompt that makes the create a 400 `InputTextSensitiveContentDetected`. */
export const SENSITIVE_WORD = 'forbidden-content';

const imageUrl = z
  .string()
  .refine(
    (url) => /^https:\/\/[^\s]+$/.test(url) || /^data:image\/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]+$/.test(url),
    'an image url is https or data:image/<format>;base64,<data>',
  );

const contentItemSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().min(1, 'the prompt is empty') }),
  z.object({
    type: z.literal('image_url'),
    image_url: z.object({ url: imageUrl }),
    role: z.enum(['first_frame', 'last_frame', 'reference_image']).nullish(),
  }),
  z.object({ type: z.literal('draft_task'), draft_task: z.object({ id: z.string().min(1) }) }),
]);

const flag = z.boolean().nullish();

export const modelArkCreateRequestSchema = z.strictObject({
  model: z.string().min(1).max(200),
  content: z.array(contentItemSchema).min(1, 'content needs at least one item').max(10),
  callback_url: z
    .string()
    .max(2048)
    .refine((url) => /^https?:\/\/[^\s]+$/.test(url) && URL.canParse(url), 'callback_url is an http(s) URL')
    .nullish(),
  return_last_frame: flag,
  service_tier: z.enum(['default', 'flex']).nullish(),
  execution_expires_after: z.int().min(3600).max(259_200).nullish(),
  generate_audio: flag,
  draft: flag,
  resolution: z.enum(MODELARK_RESOLUTIONS).nullish(),
  ratio: z.enum([...MODELARK_RATIOS, 'adaptive']).nullish(),
  duration: z
    .int()
    .refine((d) => d === -1 || (d >= 4 && d <= 12), 'duration is 4-12 seconds, or -1 to let the model choose')
    .nullish(),
  frames: z.null({ error: 'frames is not supported by Seedance 1.5 Pro: use duration' }).optional(),
  seed: z
    .int()
    .min(-1)
    .max(2 ** 32 - 1)
    .nullish(),
  camera_fixed: flag,
  watermark: flag,
  priority: z.int().nullish(),
  safety_identifier: z.string().max(128).nullish(),
});

/** A create body as accepted (nulls kept as sent). */
export type ModelArkCreateRequest = z.infer<typeof modelArkCreateRequestSchema>;

export interface CreateRefusal {
  ok: false;
  status: 400 | 404;
  code: string;
  /** The field at fault, `''` when none. */
  param: string;
  message: string;
}

export type ModelArkCreateReading = { ok: true; request: ModelArkCreateRequest } | CreateRefusal;

export async function readModelArkCreateRequest(req: http.IncomingMessage): Promise<ModelArkCreateReading> {
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === undefined) return invalid('', 'the request body is larger than 64 MB');
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return invalid('', 'the request body is not valid JSON');
  }
  return validateModelArkCreateRequest(json);
}

/** Validation without the HTTP part, in the order the refusals are checked. */
export function validateModelArkCreateRequest(json: unknown): ModelArkCreateReading {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return invalid('', 'the request body is not a JSON object');
  }
  for (const field of ['model', 'content'] as const) {
    if ((json as Record<string, unknown>)[field] == null) {
      return refuse(400, 'MissingParameter', field, `The request is missing the required parameter \`${field}\`.`);
    }
  }
  const parsed = modelArkCreateRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue?.code === 'unrecognized_keys' ? (issue.keys[0] ?? '') : paramName(issue?.path ?? []);
    return invalid(param, issue?.code === 'unrecognized_keys' ? 'unknown parameter' : (issue?.message ?? 'invalid'));
  }
  const request = parsed.data;
  const refusal = contentRefusal(request) ?? draftRefusal(request);
  if (refusal) return refusal;
  if (request.model === UNKNOWN_MODEL) {
    return refuse(
      404,
      'InvalidEndpointOrModel.NotFound',
      '',
      `The model or endpoint ${request.model} does not exist or you do not have access to it.`,
    );
  }
  if (request.content.some((i) => i.type === 'text' && new RegExp(`\\b${SENSITIVE_WORD}\\b`).test(i.text))) {
    return refuse(
      400,
      'InputTextSensitiveContentDetected',
      '',
      'The request failed because the input text may contain sensitive information.',
    );
  }
  return { ok: true, request };
}

/** One text at most; two images are a first and a last frame; reference images do not mix with frames. */
function contentRefusal(request: ModelArkCreateRequest): CreateRefusal | undefined {
  const texts = request.content.filter((i) => i.type === 'text');
  if (texts.length > 1) return invalid('content', 'at most one text item');
  const roles = request.content.flatMap((i) => (i.type === 'image_url' ? [i.role ?? null] : []));
  if (roles.includes('reference_image')) {
    if (roles.some((r) => r !== 'reference_image') || roles.length > 4) {
      return invalid('content', 'reference images (1-4) cannot be mixed with first or last frames');
    }
    return undefined;
  }
  if (roles.length > 2) return invalid('content', 'at most a first and a last frame image');
  if (roles.length === 2 && !(roles[0] !== 'last_frame' && roles[1] === 'last_frame')) {
    return invalid('content', 'with two images, the first is the first_frame and the second the last_frame');
  }
  if (roles.length === 1 && roles[0] === 'last_frame') return invalid('content', 'a last_frame needs a first_frame');
  return undefined;
}

/** A draft is a 480p preview without last frame and not on the flex tier. */
function draftRefusal(request: ModelArkCreateRequest): CreateRefusal | undefined {
  if (request.draft !== true) return undefined;
  if (request.resolution != null && request.resolution !== '480p') {
    return invalid('resolution', 'a draft is 480p only');
  }
  if (request.return_last_frame === true) return invalid('return_last_frame', 'a draft has no last frame');
  if (request.service_tier === 'flex') return invalid('service_tier', 'a draft cannot use the flex tier');
  return undefined;
}

function invalid(param: string, detail: string): CreateRefusal {
  const subject = param === '' ? 'The request' : `The parameter \`${param}\` specified in the request`;
  return refuse(400, 'InvalidParameter', param, `${subject} is not valid: ${detail}.`);
}

function refuse(status: 400 | 404, code: string, param: string, message: string): CreateRefusal {
  return { ok: false, status, code, param, message };
}

/** `content[0].image_url.url` from a zod path. */
function paramName(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (name, key) => (typeof key === 'number' ? `${name}[${key}]` : name === '' ? String(key) : `${name}.${String(key)}`),
    '',
  );
}
