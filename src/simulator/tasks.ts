/** Simulated tasks: what the status endpoint reports at a given clock time, and their JSON shape. */
import { randomBytes } from 'node:crypto';
import type { ServiceTier } from '../seedance/models';
import type { ResellerTaskStatus as TaskStatus } from '../seedance/schemas';
import type { TaskTiming } from './profiles';

export type TaskOutcome = 'completed' | 'failed' | 'cancelled';

export interface SimTask {
  id: string;
  model: string;
  /** Clock ms at creation. */
  createdMs: number;
  serviceTier: ServiceTier;
  timing: TaskTiming;
  /** What the task becomes once `timing` has run out. */
  outcome: TaskOutcome;
  /** The message reported when `outcome` is `failed`. */
  error: string | null;
  /** Seconds, reported once completed. */
  actualDuration: number;
}

export const DEFAULT_FAILURE_MESSAGE = 'The video generation failed (simulated).';
/** Seconds of video when the create gave no duration. */
export const DEFAULT_DURATION_S = 5;
/** What "the model chooses" (`duration: -1`) comes out as. */
export const CHOSEN_DURATION_S = 8;

export function newTaskId(): string {
  return `video_${randomBytes(12).toString('hex')}`;
}

export function statusAt(task: SimTask, nowMs: number): TaskStatus {
  const age = nowMs - task.createdMs;
  if (age < task.timing.queuedMs) return 'queued';
  if (age < task.timing.queuedMs + task.timing.renderMs) return 'processing';
  return task.outcome;
}

/** Past retention the API forgets the task (404), as the documented one-day keep. */
export function isRetained(task: SimTask, nowMs: number, retentionMs: number): boolean {
  return nowMs - task.createdMs <= retentionMs;
}

/** The query response, with nulls where the documentation says so. */
export function taskJson(task: SimTask, status: TaskStatus, videoUrl: string | null): Record<string, unknown> {
  const completed = status === 'completed';
  return {
    id: task.id,
    object: 'video',
    created: Math.floor(task.createdMs / 1000),
    model: task.model,
    status,
    video_url: completed ? videoUrl : null,
    actualDuration: completed ? task.actualDuration : null,
    error: status === 'failed' ? (task.error ?? DEFAULT_FAILURE_MESSAGE) : null,
  };
}

/** The create response: the task as it is the moment it was accepted. */
export function createdJson(task: SimTask): Record<string, unknown> {
  return {
    id: task.id,
    object: 'video',
    created: Math.floor(task.createdMs / 1000),
    model: task.model,
    status: 'queued',
  };
}
