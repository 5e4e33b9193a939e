/**
 * Inputs, outputs and the status query's shape: the JSON users pass with `temporal workflow start
 * --input` and read with `temporal workflow query --type status`.
 *
 * ## Five words for "status"
 * - {@link TaskStatus}: the remote task's status in the package's words, whichever provider runs
 *   (`queued`, `processing`, `completed`, `failed`, `cancelled`, `expired`; ModelArk's `running`
 *   is `processing` and its `succeeded` is `completed`).
 * - {@link WorkflowPhase}: what the workflow is doing (`checking`, `waiting`, `downloading`) or how
 *   it ended.
 * - {@link SeedanceStatusValue}: the `SeedanceStatus` search attribute: the remote status while the
 *   task runs, then ours (`downloading`, `completed`, `timed_out`...). What `temporal workflow list
 *   --query` filters on.
 * - {@link SeedanceVideoStatus}: the whole answer of the `status` query (phase, remote status,
 *   checks, next check, download progress).
 * - `SeedanceVideoResult.status`: always `completed`; any other end is a typed failure.
 */
import type { CancelOutcome, TaskStatus, TokenUsage } from '../seedance/provider';
import type { ServiceTier } from '../seedance/models';
import type { VideoRequest } from '../seedance/video-request';

export type { CancelOutcome, ServiceTier, TaskStatus, TokenUsage, VideoRequest };

/** The create request of `generateSeedanceVideo` (an older name of {@link VideoRequest}). */
export type CreateVideoRequest = VideoRequest;

export interface AwaitSeedanceVideoInput {
  /** The Seedance task id, e.g. `video_abc123def456` (reseller) or `cgt-20251009163014-wfnnx` (ModelArk). */
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
  request: VideoRequest;
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
  /** Tokens the video cost, where the provider reports them (ModelArk). */
  usage?: TokenUsage;
  /** The last frame as a PNG beside the video, when the request asked for it (`return_last_frame`). */
  lastFrame?: StoredVideo;
}

/** What the workflow is doing, or how it ended. */
export type WorkflowPhase = 'checking' | 'waiting' | 'downloading' | 'completed' | 'failed' | 'cancelled';

/** The `SeedanceStatus` search attribute's values: the remote status while the task runs, then ours. */
export type SeedanceStatusValue =
  'queued' | 'processing' | 'downloading' | 'completed' | 'failed' | 'cancelled' | 'expired' | 'timed_out';

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
  /** After a cancel: whether the remote task was stopped too (providers that can cancel: ModelArk). */
  remoteCancel?: RemoteCancelReport;
}

/** The `cancel` signal's argument. */
export interface CancelInput {
  reason?: string;
}

/**
 * What a cancel did to the remote task: `cancelled` when the provider stopped it while queued
 * (nothing rendered, nothing billed); otherwise `status` says why not (`processing`: it was
 * already rendering; `completed`: it had finished). `attempted` is false when the provider has no
 * cancel, or the task had already started, so no request was sent.
 */
export interface RemoteCancelReport extends CancelOutcome {
  taskId: string | null;
  attempted: boolean;
}

/**
 * The `checkNow` signal's optional argument. A callback receiver passes what the callback said;
 * it is only a hint: the workflow confirms with a status read, and spends at most a few reads on
 * hints that turn out wrong.
 */
export interface CheckNowInput {
  /** Who asks: `callback` from the receiver; anything else is treated as an operator. */
  source?: string;
  /** The task the callback was about; a hint for another task is ignored. */
  taskId?: string;
  /** The status the callback reported; a hint of `queued` or `processing` causes no read. */
  status?: TaskStatus;
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

/** One video of a batch: what `generateSeedanceVideo` takes. */
export interface BatchItem {
  request: VideoRequest;
  /** @default `<taskId>.mp4` */
  fileName?: string;
}

/** The `generateSeedanceVideos` workflow's input. */
export interface GenerateSeedanceVideosInput {
  /** 1 to 1,000 videos; item `n` runs as child workflow `<batch id>/item-<n>`. */
  items: BatchItem[];
  /** Children running at once, 1-100. @default 10 */
  maxConcurrent?: number;
  /** Each child's deadline. @default '6h' */
  deadline?: string | number;
}

/** Where one item of a batch is. `index` is its place in `items`. */
export type BatchItemOutcome =
  | { index: number; phase: 'pending' }
  | { index: number; phase: 'running'; workflowId: string }
  | { index: number; phase: 'completed'; workflowId: string; result: SeedanceVideoResult }
  | {
      index: number;
      phase: 'failed' | 'cancelled';
      workflowId: string | null;
      /**
       * The child's failure: its `ApplicationFailure` type (one of `FailureType`, e.g.
       * `SeedanceTaskFailed`), else the Temporal failure's name (`CancelledFailure`,
       * `TerminatedFailure`, `TimeoutFailure`, `WorkflowExecutionAlreadyStartedError` for an item
       * whose id had already run); `null` for an item cancelled before it started.
       */
      failure: { type: string | null; message: string };
    };

export type BatchItemPhase = BatchItemOutcome['phase'];

/** The `batchStatus` query's answer. */
export interface SeedanceBatchStatus {
  total: number;
  /** How many items are in each phase. */
  counts: Record<BatchItemPhase, number>;
  maxConcurrent: number;
  /** Every item, in input order. */
  items: BatchItemOutcome[];
  /** Runs of this batch so far (continue-as-new keeps large batches' histories small). */
  run: number;
}

/** The batch's result: every item's stored video or typed failure, in input order. */
export interface SeedanceBatchResult {
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  items: BatchItemOutcome[];
}

/** The `generateSeedanceVideos` workflow's signature, for typed starts by name. */
export type GenerateSeedanceVideosWorkflow = (input: GenerateSeedanceVideosInput) => Promise<SeedanceBatchResult>;
