/**
 * What the activities take and return. Type-only for workflow code: workflows import
 * `type Activities` and never the implementations.
 */
import type { CreateVideoRequest, TaskStatus } from '../seedance/schemas';
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
}

export interface DownloadVideoInput {
  taskId: string;
  fileName: string;
  /**
   * The task's model, recorded with the stored video where the storage keeps metadata (S3's
   * `x-amz-meta-model`). Absent in schedules from before it was passed.
   */
  model?: string;
}

/** What a run asks the worker once, at its start (recorded, so replay sees the same answer). */
export interface WorkerSettings {
  /** Whether the namespace has the Seedance search attributes (upserting unknown ones blocks the workflow). */
  searchAttributes: boolean;
  /** The queue for activities that call the provider's API, or null for the workflow's own queue. */
  apiTaskQueue: string | null;
}

export interface Activities {
  checkStatus(taskId: string): Promise<TaskSnapshot>;
  downloadVideo(input: DownloadVideoInput): Promise<StoredVideo>;
  createVideoTask(request: CreateVideoRequest): Promise<TaskSnapshot>;
  /** Removes what a cancelled download left behind; returns how many partial files it removed. */
  discardPartialDownload(input: DownloadVideoInput): Promise<number>;
  /** Whether the namespace has the Seedance search attributes (upserting unknown ones blocks the workflow). */
  searchAttributesSupported(): Promise<boolean>;
  /** The search-attribute answer and where API calls go; replaces `searchAttributesSupported` in new runs. */
  workerSettings(): Promise<WorkerSettings>;
}
