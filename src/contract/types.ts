/**
 * Inputs, outputs and the status query's shape: the JSON users pass with `temporal workflow start
 * --input` and read with `temporal workflow query --type status`.
 *
 * ## Five words for "status"
 * - {@link TaskStatus}: the remote task's status as the API reports it (`queued`, `processing`,
 *   `completed`, `failed`, `cancelled`).
 * - {@link WorkflowPhase}: what the workflow is doing (`checking`, `waiting`, `downloading`) or how
 *   it ended.
 * - {@link SeedanceStatusValue}: the `SeedanceStatus` search attribute: the remote status while the
 *   task runs, then ours (`downloading`, `completed`, `timed_out`...). What `temporal workflow list
 *   --query` filters on.
 * - {@link SeedanceVideoStatus}: the whole answer of the `status` query (phase, remote status,
 *   checks, next check, download progress).
 * - `SeedanceVideoResult.status`: always `completed`; any other end is a typed failure.
 */
import type { CreateVideoRequest, TaskStatus } from '../seedance/schemas';
import type { ServiceTier } from '../seedance/models';

export type { CreateVideoRequest, ServiceTier, TaskStatus };

export interface AwaitSeedanceVideoInput {
  /** The Seedance task id, e.g. `video_abc123def456`. */
  taskId: string;
  /** The model, if known; learned from the first status check otherwise. */
  model?: string;
  /** The file name under the worker's output root. @default `<taskId>.mp4` */
  fileName?: string;
  /** @default 'default' */
  serviceTier?: ServiceTier;
  /**
   * Give up this long after the task's creation, e.g. `"2h"`, capped inside the retention.
   * @default '6h'
   */
  deadline?: string | number;
}

export interface GenerateSeedanceVideoInput {
  request: CreateVideoRequest;
  /** @default `<taskId>.mp4` */
  fileName?: string;
  /** @default '6h' */
  deadline?: string | number;
}

export interface StoredVideo {
  /** `file:///abs/path.mp4`. */
  uri: string;
  bytes: number;
  /** Hex sha256 of the stored bytes. */
  sha256: string;
}

export interface SeedanceVideoResult {
  taskId: string;
  model: string;
  status: 'completed';
  /** Seconds, as the API reports them. */
  actualDuration: number | null;
  video: StoredVideo;
  /** Status checks made. */
  checks: number;
}

/** What the workflow is doing, or how it ended. */
export type WorkflowPhase = 'checking' | 'waiting' | 'downloading' | 'completed' | 'failed' | 'cancelled';

/** The `SeedanceStatus` search attribute's values: the remote status while the task runs, then ours. */
export type SeedanceStatusValue =
  'queued' | 'processing' | 'downloading' | 'completed' | 'failed' | 'cancelled' | 'timed_out';

/** The `status` query's answer. */
export interface SeedanceVideoStatus {
  phase: WorkflowPhase;
  taskId: string | null;
  model: string | null;
  remoteStatus: TaskStatus | null;
  checks: number;
  /** ISO timestamp. */
  lastCheckedAt: string | null;
  /** ISO timestamp. */
  nextCheckAt: string | null;
  download?: DownloadProgress;
}

/** The `cancel` signal's argument. */
export interface CancelInput {
  reason?: string;
}

/** How far a download is: sent by `downloadVideo` to its workflow, shown by the `status` query. */
export interface DownloadProgress {
  bytes: number;
  totalBytes: number | null;
}

/** The `awaitSeedanceVideo` workflow's signature, for typed starts by name (`client.workflow.start<...>`). */
export type AwaitSeedanceVideoWorkflow = (input: AwaitSeedanceVideoInput) => Promise<SeedanceVideoResult>;

/** The `generateSeedanceVideo` workflow's signature, for typed starts by name. */
export type GenerateSeedanceVideoWorkflow = (input: GenerateSeedanceVideoInput) => Promise<SeedanceVideoResult>;
