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
}

export interface Activities {
  checkStatus(taskId: string): Promise<TaskSnapshot>;
  downloadVideo(input: DownloadVideoInput): Promise<StoredVideo>;
  createVideoTask(request: CreateVideoRequest): Promise<TaskSnapshot>;
  /** Removes what a cancelled download left behind; returns how many partial files it removed. */
  discardPartialDownload(input: DownloadVideoInput): Promise<number>;
  /** Whether the namespace has the Seedance search attributes (upserting unknown ones blocks the workflow). */
  searchAttributesSupported(): Promise<boolean>;
}
