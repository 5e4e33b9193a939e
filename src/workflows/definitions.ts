/**
 * Signal, query and search-attribute names: the fixed public interface users script against
 * with `temporal workflow signal/query/list`.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CancelInput, DownloadProgress, SeedanceVideoStatus } from './types';

/** Stop polling or downloading at once; the workflow fails with `SeedanceWorkflowCancelled`. */
export const cancelSignal = defineSignal<[CancelInput?]>('cancel');

/** Check the task's status now instead of at the next scheduled time. */
export const checkNowSignal = defineSignal<[]>('checkNow');

/** Where the workflow is and what it waits for. */
export const statusQuery = defineQuery<SeedanceVideoStatus>('status');

/** Internal: `downloadVideo` reports its progress so the `status` query can show it. */
export const downloadProgressSignal = defineSignal<[DownloadProgress]>('downloadProgress');

export const SeedanceTaskId = defineSearchAttributeKey('SeedanceTaskId', SearchAttributeType.KEYWORD);
export const SeedanceModel = defineSearchAttributeKey('SeedanceModel', SearchAttributeType.KEYWORD);
export const SeedanceStatus = defineSearchAttributeKey('SeedanceStatus', SearchAttributeType.KEYWORD);

/** The values `SeedanceStatus` takes: the remote status while the task runs, then ours. */
export type SeedanceStatusValue =
  | 'queued'
  | 'processing'
  | 'downloading'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'timed_out';

export const DEFAULT_TASK_QUEUE = 'seedance-video';
export const AWAIT_WORKFLOW_TYPE = 'awaitSeedanceVideo';
export const GENERATE_WORKFLOW_TYPE = 'generateSeedanceVideo';

/** The workflow id convention: one workflow follows one task. */
export function workflowIdForTask(taskId: string): string {
  return `seedance-${taskId}`;
}
