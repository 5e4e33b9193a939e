/**
 * ModelArk's task JSON in the package's words ({@link ProviderTask}). Pure: the clock is a
 * parameter.
 */
import { SeedanceInvalidResponseError } from '../errors';
import { sanitizeText } from '../http-errors';
import type { ServiceTier } from '../models';
import type { ProviderTask, TaskStatus, TokenUsage } from '../provider';
import { modelArkSubject } from './errors';
import type { ModelArkTask, ModelArkTaskStatus } from './schemas';

/** `execution_expires_after` when a request or an answer does not say (documented default, 48 h). */
export const DEFAULT_EXECUTION_EXPIRES_S = 172_800;
/** `video_url` and `last_frame_url` are deleted 24 h after the task finished. */
export const VIDEO_URL_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Task records are kept 7 days from `created_at`. */
export const RECORD_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** Seedance renders at 24 fps (a task reports `framespersecond` when it asked for `frames`). */
const DEFAULT_FPS = 24;
/** Error messages are kept in workflow history: bounded there. */
const MAX_ERROR_LENGTH = 1000;

export const STATUS_FROM_MODELARK: Readonly<Record<ModelArkTaskStatus, TaskStatus>> = {
  queued: 'queued',
  running: 'processing',
  succeeded: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  expired: 'expired',
};

export function serviceTierOf(value: string | null | undefined): ServiceTier | null {
  return value === 'default' || value === 'flex' ? value : null;
}

/**
 * @throws SeedanceInvalidResponseError for a task without `created_at`, or a `succeeded` one
 * without `content.video_url` (both retried: a proxy's truncated answer, not the task's fault).
 */
export function fromModelArkTask(task: ModelArkTask, nowMs: number): ProviderTask {
  const subject = modelArkSubject(task.id);
  if (task.created_at == null) {
    throw new SeedanceInvalidResponseError(`${subject} was reported without created_at`);
  }
  const videoUrl = task.content?.video_url ?? null;
  if (task.status === 'succeeded' && !videoUrl) {
    throw new SeedanceInvalidResponseError(`${subject} succeeded but its answer carries no content.video_url`);
  }
  const createdMs = task.created_at * 1000;
  const status = STATUS_FROM_MODELARK[task.status];
  const expiresAfterS = task.execution_expires_after ?? DEFAULT_EXECUTION_EXPIRES_S;
  const finishedMs = task.updated_at == null ? nowMs : task.updated_at * 1000;
  return {
    id: task.id,
    model: task.model ?? '',
    createdMs,
    status,
    videoUrl,
    lastFrameUrl: task.content?.last_frame_url ?? null,
    actualDuration: task.status === 'succeeded' ? actualDuration(task) : null,
    error: errorMessage(task, expiresAfterS),
    errorCode: errorCodeOf(task),
    resolution: task.resolution ?? null,
    serviceTier: serviceTierOf(task.service_tier),
    expiresAtMs: createdMs + expiresAfterS * 1000,
    videoUrlExpiresAtMs: task.status === 'succeeded' ? finishedMs + VIDEO_URL_LIFETIME_MS : null,
    usage: usageOf(task.usage),
    ...(task.status === 'succeeded' && task.updated_at != null ? { completedAtMs: finishedMs } : {}),
  };
}

function actualDuration(task: ModelArkTask): number | null {
  if (task.duration != null && task.duration > 0) return task.duration;
  if (task.frames != null && task.frames > 0) return task.frames / (task.framespersecond ?? DEFAULT_FPS);
  return null;
}

function errorMessage(task: ModelArkTask, expiresAfterS: number): string | null {
  const message = task.error?.message ? sanitizeText(task.error.message, { maxLength: MAX_ERROR_LENGTH }) : '';
  if (message !== '') return message;
  if (task.status === 'expired') {
    return `the task expired: still queued or running after execution_expires_after (${expiresAfterS} s)`;
  }
  if (task.status === 'failed') {
    const code = errorCodeOf(task);
    return code === null ? 'the task failed; ModelArk gave no reason' : `the task failed (${code})`;
  }
  return null;
}

function errorCodeOf(task: ModelArkTask): string | null {
  const code = task.error?.code ? sanitizeText(task.error.code, { maxLength: 200 }) : '';
  return code === '' ? null : code;
}

function usageOf(usage: ModelArkTask['usage']): TokenUsage | null {
  if (usage?.completion_tokens == null || usage.total_tokens == null) return null;
  return { completionTokens: usage.completion_tokens, totalTokens: usage.total_tokens };
}
