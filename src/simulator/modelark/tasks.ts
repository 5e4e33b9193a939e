/**
 * Simulated ModelArk tasks: their status changes over the clock (queued, running, then the
 * outcome, or `expired` at `created_at + execution_expires_after`), what GET reports at a given
 * time, their ids and their token usage.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { ServiceTier } from '../../seedance/models';
import type { TaskTiming } from '../profiles';
import type { ModelArkOutcome } from './types';

export const MODELARK_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export type ModelArkStatus = (typeof MODELARK_STATUSES)[number];
export const MODELARK_RESOLUTIONS = ['480p', '720p', '1080p'] as const;
export type ModelArkResolution = (typeof MODELARK_RESOLUTIONS)[number];
export const MODELARK_RATIOS = ['16:9', '4:3', '1:1', '3:4', '9:16', '21:9'] as const;
export type ModelArkRatio = (typeof MODELARK_RATIOS)[number];

/** The model GET reports for an endpoint id (`ep-...`) and the default of `addTask`. */
export const SEEDANCE_1_5_PRO = 'seedance-1-5-pro-251215';
export const DEFAULT_EXECUTION_EXPIRES_AFTER_S = 172_800;
export const DEFAULT_FAILURE_CODE = 'OutputVideoSensitiveContentDetected.PolicyViolation';
export const DEFAULT_FAILURE_MESSAGE =
  'The request failed because the output video may contain sensitive information (simulated).';
const FRAMES_PER_SECOND = 24;

export interface ModelArkTaskError {
  code: string;
  message: string;
}

export interface ModelArkTask {
  id: string;
  /** The model or endpoint id sent at create: what `filter.model` matches. */
  requestedModel: string;
  /** The model GET reports ("name-version"): an endpoint id reports Seedance 1.5 Pro. */
  model: string;
  /** Clock ms at creation. */
  createdMs: number;
  serviceTier: ServiceTier;
  timing: TaskTiming;
  /** What the task becomes once `timing` has run out (unless it expired first). */
  outcome: ModelArkOutcome;
  /** Reported when `outcome` is `failed` (the default code and message otherwise). */
  error: ModelArkTaskError | null;
  resolution: ModelArkResolution;
  /** As reported: `adaptive` resolved to 16:9. */
  ratio: ModelArkRatio;
  /** Seconds of video (`-1` resolved). */
  duration: number;
  /** The seed used (`-1` or none resolved to a random one). */
  seed: number;
  generateAudio: boolean;
  draft: boolean;
  draftTaskId: string | null;
  returnLastFrame: boolean;
  callbackUrl: string | null;
  executionExpiresAfterS: number;
  priority: number;
  safetyIdentifier: string | null;
  /** Clock ms when a DELETE took the task out of the queue. */
  cancelledMs: number | null;
  /** How many of the task's status changes have had their callback sent (or skipped: `cancelled`). */
  callbacksSent: number;
}

export interface StatusChange {
  status: ModelArkStatus;
  /** Clock ms. */
  atMs: number;
}

/** `cgt-` + the creation time as YYYYMMDDHHMMSS in UTC+8 + `-` + 5 lowercase alphanumerics (observed ids). */
export function newTaskId(createdMs: number): string {
  const beijing = new Date(createdMs + 8 * 60 * 60 * 1000).toISOString(); // 2026-08-28T06:27:11.000Z
  const stamp = beijing.slice(0, 19).replace(/\D/g, '');
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const suffix = Array.from(randomBytes(5), (b) => alphabet[b % alphabet.length]).join('');
  return `cgt-${stamp}-${suffix}`;
}

export function reportedModel(requested: string): string {
  return requested.startsWith('ep-') ? SEEDANCE_1_5_PRO : requested;
}

/** A seed as the API would pick one for `-1` (observed seeds are small non-negative integers). */
export function randomSeed(): number {
  return randomInt(0, 2 ** 31);
}

/**
 * Every status change of the task, in order; the last one is final. A DELETE while queued ends it
 * `cancelled`; outcome `cancelled` leaves the queue cancelled when its queue time ends (ModelArk
 * never cancels a running task); a task still queued or running at `execution_expires_after`
 * becomes `expired` then.
 */
export function statusChanges(task: ModelArkTask): StatusChange[] {
  const changes: StatusChange[] = [{ status: 'queued', atMs: task.createdMs }];
  if (task.cancelledMs !== null) return [...changes, { status: 'cancelled', atMs: task.cancelledMs }];
  const expiresAt = task.createdMs + task.executionExpiresAfterS * 1000;
  const runAt = task.createdMs + task.timing.queuedMs;
  const endAt = runAt + task.timing.renderMs;
  if (task.outcome === 'cancelled' && runAt < expiresAt) return [...changes, { status: 'cancelled', atMs: runAt }];
  if (runAt >= expiresAt) return [...changes, { status: 'expired', atMs: expiresAt }];
  changes.push({ status: 'running', atMs: runAt });
  if (endAt > expiresAt) return [...changes, { status: 'expired', atMs: expiresAt }];
  return [...changes, { status: outcomeStatus(task.outcome), atMs: endAt }];
}

function outcomeStatus(outcome: ModelArkOutcome): ModelArkStatus {
  return outcome === 'completed' ? 'succeeded' : outcome;
}

/** The task's status at `nowMs`: its latest change at or before then. */
export function changeAt(task: ModelArkTask, nowMs: number): StatusChange {
  let current: StatusChange = { status: 'queued', atMs: task.createdMs };
  for (const change of statusChanges(task)) if (change.atMs <= nowMs) current = change;
  return current;
}

/**
 * Whether GET and list still see the task: created within `retentionMs` (the window [T-7d, T)),
 * and not cancelled `cancelledRetentionMs` or longer ago.
 */
export function isKept(task: ModelArkTask, nowMs: number, retentionMs: number, cancelledRetentionMs: number): boolean {
  if (nowMs - task.createdMs >= retentionMs) return false;
  const change = changeAt(task, nowMs);
  return !(change.status === 'cancelled' && nowMs - change.atMs >= cancelledRetentionMs);
}

export function isTerminal(status: ModelArkStatus): boolean {
  return status !== 'queued' && status !== 'running';
}

/** Output pixel sizes of Seedance 1.5 Pro (DOC-BP table). */
const PIXELS: Readonly<Record<ModelArkResolution, Readonly<Record<ModelArkRatio, readonly [number, number]>>>> = {
  '480p': {
    '16:9': [864, 496],
    '4:3': [752, 560],
    '1:1': [640, 640],
    '3:4': [560, 752],
    '9:16': [496, 864],
    '21:9': [992, 432],
  },
  '720p': {
    '16:9': [1280, 720],
    '4:3': [1112, 834],
    '1:1': [960, 960],
    '3:4': [834, 1112],
    '9:16': [720, 1280],
    '21:9': [1470, 630],
  },
  '1080p': {
    '16:9': [1920, 1080],
    '4:3': [1664, 1248],
    '1:1': [1440, 1440],
    '3:4': [1248, 1664],
    '9:16': [1080, 1920],
    '21:9': [2206, 946],
  },
};

/** W x H x (24 x duration + 1) / 1024, rounded down: the formula the observed usages fit (shared/modelark-api.md section 10). */
export function completionTokens(resolution: ModelArkResolution, ratio: ModelArkRatio, duration: number): number {
  const [width, height] = PIXELS[resolution][ratio];
  return Math.floor((width * height * (FRAMES_PER_SECOND * duration + 1)) / 1024);
}

export interface TaskFiles {
  videoUrl: string;
  lastFrameUrl: string | null;
}

/**
 * The GET body (also the list item and the callback body) for the task at `change`. Queued and
 * running tasks carry no `error`, `content` or `usage` (a captured running task shows none); a
 * succeeded one has `error: null`, `content` and `usage`; failed ones `error: {code, message}`.
 * `expired` and `cancelled` report `error: null`: no code for them is documented, the status says it.
 */
export function taskJson(task: ModelArkTask, change: StatusChange, files: TaskFiles | null): Record<string, unknown> {
  const json: Record<string, unknown> = { id: task.id, model: task.model, status: change.status };
  if (isTerminal(change.status)) {
    json.error =
      change.status === 'failed'
        ? { code: task.error?.code ?? DEFAULT_FAILURE_CODE, message: task.error?.message ?? DEFAULT_FAILURE_MESSAGE }
        : null;
  }
  if (change.status === 'succeeded' && files) {
    json.content = {
      video_url: files.videoUrl,
      ...(files.lastFrameUrl === null ? {} : { last_frame_url: files.lastFrameUrl }),
    };
    const tokens = completionTokens(task.resolution, task.ratio, task.duration);
    json.usage = { completion_tokens: tokens, total_tokens: tokens };
  }
  return {
    ...json,
    created_at: Math.floor(task.createdMs / 1000),
    updated_at: Math.floor(change.atMs / 1000),
    seed: task.seed,
    resolution: task.resolution,
    ratio: task.ratio,
    duration: task.duration,
    framespersecond: FRAMES_PER_SECOND,
    service_tier: task.serviceTier,
    execution_expires_after: task.executionExpiresAfterS,
    generate_audio: task.generateAudio,
    draft: task.draft,
    ...(task.draftTaskId === null ? {} : { draft_task_id: task.draftTaskId }),
    ...(task.safetyIdentifier === null ? {} : { safety_identifier: task.safetyIdentifier }),
    priority: task.priority,
    output_format: 'mp4',
  };
}
