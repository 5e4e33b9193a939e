/**
 * Inputs, outputs and the status query's shape: the JSON users pass with `temporal workflow start
 * --input` and read with `temporal workflow query --type status`.
 */
import type { CreateVideoRequest, TaskStatus } from '../seedance/schemas';
import type { ServiceTier } from '../seedance/models';

export interface AwaitSeedanceVideoInput {
  /** The Seedance task id, e.g. `video_abc123def456`. */
  taskId: string;
  /** The model, if known; learned from the first status check otherwise. */
  model?: string;
  /** The file name under the worker's output root; default `<taskId>.mp4`. */
  fileName?: string;
  serviceTier?: ServiceTier;
  /** Give up this long after the task's creation, e.g. `"2h"` (default 6h, capped inside retention). */
  deadline?: string | number;
}

export interface GenerateSeedanceVideoInput {
  request: CreateVideoRequest;
  fileName?: string;
  deadline?: string | number;
}

export interface StoredVideo {
  /** `file:///abs/path.mp4` or `s3://bucket/key`. */
  uri: string;
  bytes: number;
  sha256: string;
}

export interface SeedanceVideoResult {
  taskId: string;
  model: string;
  status: 'completed';
  actualDuration: number | null;
  video: StoredVideo;
  /** Status checks made. */
  checks: number;
}

export type Phase = 'checking' | 'waiting' | 'downloading' | 'completed' | 'failed' | 'cancelled';

export interface SeedanceVideoStatus {
  phase: Phase;
  taskId: string | null;
  model: string | null;
  remoteStatus: TaskStatus | null;
  checks: number;
  /** ISO timestamps. */
  lastCheckedAt: string | null;
  nextCheckAt: string | null;
  download?: { bytes: number; totalBytes: number | null };
}

export interface CancelInput {
  reason?: string;
}

/** Sent by `downloadVideo` to the workflow it works for, so the `status` query can show progress. */
export interface DownloadProgress {
  bytes: number;
  totalBytes: number | null;
}

/**
 * State carried across continue-as-new: everything the next run needs to go on where this one
 * stopped. Internal; not part of the public input.
 */
export interface CarriedState {
  taskId: string;
  createdMs: number;
  checks: number;
  model: string;
  deadlineAtMs: number;
  searchAttributes: boolean;
  lastCheckedAtMs: number | null;
  /** The last status seen, so the `status` query shows it before the new run's first check. */
  remoteStatus?: TaskStatus | null;
}
