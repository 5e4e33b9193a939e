/**
 * What the activities take and return. Type-only for workflow code: workflows import
 * `type Activities` and never the implementations.
 */
import type { ServiceTier } from '../seedance/models';
import type { CancelOutcome, ProviderName, TaskStatus, TokenUsage } from '../seedance/provider';
import type { VideoRequest } from '../seedance/video-request';
import type { StoredVideo } from '../contract/types';

/**
 * A task's status as the workflow records it. The signed `video_url` is deliberately absent: it
 * is a credential, and activity results are stored in history in plain text.
 */
export interface TaskSnapshot {
  taskId: string;
  model: string;
  /** API `created`, in ms. */
  createdMs: number;
  status: TaskStatus;
  actualDuration: number | null;
  error: string | null;
  /** The fields below are present only where the provider reports them (ModelArk). */
  errorCode?: string;
  resolution?: string;
  serviceTier?: ServiceTier;
  /** When the provider expires a task still queued or running. */
  expiresAtMs?: number;
  /** Until when the completed task's video URL stays valid. */
  videoUrlExpiresAtMs?: number;
  usage?: TokenUsage;
  /** A completed task also has a last-frame image (the request asked for it). */
  hasLastFrame?: boolean;
  /** The times are the worker's clock at the create, not the provider's (see `ProviderTask.localTimes`). */
  localTimes?: boolean;
}

export interface DownloadVideoInput {
  taskId: string;
  fileName: string;
  /**
   * The task's model, recorded with the stored video where the storage keeps metadata (S3's
   * `x-amz-meta-model`). Absent in schedules from before it was passed.
   */
  model?: string;
  /** Also store the task's last-frame PNG beside the video (`return_last_frame`). */
  lastFrame?: boolean;
  /**
   * No check saw the task completed (a callback said it is): read its status first. Not completed:
   * fails with `SeedanceTaskNotCompleted`, the snapshot in its details. Completed: the result
   * carries the snapshot (`task`), and the last frame is stored when the task has one.
   */
  confirm?: boolean;
}

/** What the stored video comes with: the last frame, when asked for. */
export interface StoredVideoWithFrame extends StoredVideo {
  lastFrame?: StoredVideo;
  /** The status read that confirmed the task completed (`confirm`). */
  task?: TaskSnapshot;
}

/** What a run asks the worker once, at its start (recorded, so replay sees the same answer). */
export interface WorkerSettings {
  /** Whether the namespace has the Seedance search attributes (upserting unknown ones blocks the workflow). */
  searchAttributes: boolean;
  /** The queue for activities that call the provider's API, or null for the workflow's own queue. */
  apiTaskQueue: string | null;
  /** What the configured provider can do (absent in runs recorded before providers existed: the reseller). */
  provider?: ProviderSettings;
  /**
   * `SEEDANCE_SCHEDULE=adaptive`: space checks by the completion times this worker has seen
   * (quantiles per `completionKey`), or by the documented range where it has seen too few.
   * Absent: the documented schedule.
   */
  schedule?: { kind: 'adaptive'; completions: Record<string, number[]> };
}

/** What a check knows of the previous one, so the worker can date a completion it sees. */
/** What `pollStatus` needs to read a task's status on the run's schedule until it ends. */
export interface PollStatusInput {
  taskId: string;
  /** When the task was created (server clock). */
  createdMs: number;
  model?: string | undefined;
  serviceTier?: ServiceTier | undefined;
  resolution?: string | undefined;
  /** The task calls back: the documented interval, four times sparser. */
  callbacks?: boolean | undefined;
  /** The adaptive schedule's quantiles the run was given; absent: the documented schedule. */
  completions?: Record<string, number[]> | undefined;
  /** Checks the run made before this wait. */
  checks: number;
  /** When the run's last check before this wait ran (dates a completion between it and the first read). */
  lastCheckedAtMs?: number | null | undefined;
  /** The run's deadline (server clock): the last read happens there and returns what it saw. */
  deadlineAtMs: number;
  /** Returns the task's status after this many reads even while it runs (the run's query catches up). */
  maxReads: number;
}

export interface PollStatusResult {
  /** The read that ended the wait: a final status, or what the read at the deadline or the last allowed read saw. */
  snapshot: TaskSnapshot;
  /** Status reads the poll made (its attempts). */
  reads: number;
}

export interface CheckContext {
  /** When the last check that saw the task not yet completed ran. */
  lastCheckedAtMs?: number | null;
  /** When this read runs, on the server's clock (`pollStatus` knows); default the attempt's schedule time. */
  readAtMs?: number;
}

/** The provider facts a run needs; recorded with the worker settings. */
export interface ProviderSettings {
  name: ProviderName;
  /** `cancelRemoteTask` can stop a queued task. */
  cancel: boolean;
  /** Creates ask for callbacks: status checks can be sparse, the receiver signals `checkNow`. */
  callbacks: boolean;
  /** How long the provider keeps a task's record, from creation. */
  recordRetentionMs: number;
}

export interface Activities {
  checkStatus(taskId: string, context?: CheckContext): Promise<TaskSnapshot>;
  /** Reads the status once per attempt, retried by the server on the run's schedule until the task ends. */
  pollStatus(input: PollStatusInput): Promise<PollStatusResult>;
  downloadVideo(input: DownloadVideoInput): Promise<StoredVideoWithFrame>;
  createVideoTask(request: VideoRequest): Promise<TaskSnapshot>;
  /** Stops the remote task if it is still queued (providers that can); never removes a started task's record. */
  cancelRemoteTask(taskId: string): Promise<CancelOutcome>;
  /** Removes what a cancelled download left behind; returns how many partial files it removed. */
  discardPartialDownload(input: DownloadVideoInput): Promise<number>;
  /** Whether the namespace has the Seedance search attributes (upserting unknown ones blocks the workflow). */
  searchAttributesSupported(): Promise<boolean>;
  /** The search-attribute answer and where API calls go; replaces `searchAttributesSupported` in new runs. */
  workerSettings(): Promise<WorkerSettings>;
}
