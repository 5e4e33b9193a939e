/**
 * Signals, the query and the search attributes: the fixed names users script against with
 * `temporal workflow signal/query/list`. Safe to import in a Node client and in workflow code.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CancelInput, CheckNowInput, DownloadProgress, SeedanceBatchStatus, SeedanceVideoStatus } from './types';

/** Stop polling or downloading at once; the workflow fails with `SeedanceWorkflowCancelled`. */
export const cancelSignal = defineSignal<[CancelInput?]>('cancel');

/**
 * Check the task's status now instead of at the next scheduled time (an operator, or the callback
 * receiver with what the callback said). A few such checks are made at once; more wait for the
 * budget to refill (one per minute), so a flood of signals costs a bounded number of reads.
 */
export const checkNowSignal = defineSignal<[CheckNowInput?]>('checkNow');

/** Where the workflow is and what it waits for. */
export const statusQuery = defineQuery<SeedanceVideoStatus>('status');

/** A batch's progress: counts by phase and each item's outcome (`generateSeedanceVideos`). */
export const batchStatusQuery = defineQuery<SeedanceBatchStatus>('batchStatus');

/**
 * `downloadVideo` reports its progress to its own workflow with this signal.
 * @internal
 */
export const downloadProgressSignal = defineSignal<[DownloadProgress]>('downloadProgress');

/** Search attribute `SeedanceTaskId` (Keyword). */
export const SeedanceTaskIdKey = defineSearchAttributeKey('SeedanceTaskId', SearchAttributeType.KEYWORD);
/** Search attribute `SeedanceModel` (Keyword). */
export const SeedanceModelKey = defineSearchAttributeKey('SeedanceModel', SearchAttributeType.KEYWORD);
/** Search attribute `SeedanceStatus` (Keyword): see `SeedanceStatusValue`. */
export const SeedanceStatusKey = defineSearchAttributeKey('SeedanceStatus', SearchAttributeType.KEYWORD);

/**
 * Every search attribute the workflows upsert: register these in the namespace
 * (`temporal operator search-attribute create --name SeedanceStatus --type Keyword`, or the dev
 * server's `--search-attribute SeedanceStatus=Keyword`); where any is missing, none is upserted.
 */
export const SEARCH_ATTRIBUTE_KEYS = [SeedanceTaskIdKey, SeedanceModelKey, SeedanceStatusKey] as const;
