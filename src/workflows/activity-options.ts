/**
 * Every activity the workflows call, with its timeouts, retry policy and cancellation type. These
 * options are recorded in history with each scheduled activity: changing one changes behaviour.
 * Calls bounded by the task (its deadline, the URL's expiry) add `scheduleToCloseTimeout` per call.
 */
import {
  ActivityCancellationType,
  proxyActivities,
  proxyLocalActivities,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { Activities } from '../activities/types';
import { NON_RETRYABLE_TYPES } from '../contract/failures';

/** Backoff until the call's schedule-to-close; the typed failures no retry can fix end at once. */
const RETRY_UNTIL_CLOSED: RetryPolicy = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '1m',
  nonRetryableErrorTypes: [...NON_RETRYABLE_TYPES],
};

// 45 s: the client's 30 s request timeout plus margin. A worker that dies mid-POST is detected
// by this timeout, and the outcome is then unknown: the sooner the caller learns it, the better.
// Never retried here: a retry could pay twice (see create-task.ts).
export const { createVideoTask } = proxyActivities<Activities>({
  startToCloseTimeout: '45s',
  retry: { maximumAttempts: 1 },
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

// Status checks are cheap GETs: retried with backoff for as long as the deadline allows (set per
// call). TRY_CANCEL: a `cancel` signal must not wait for an in-flight GET to finish.
export const { checkStatus } = proxyActivities<Activities>({
  startToCloseTimeout: '45s',
  retry: RETRY_UNTIL_CLOSED,
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

// The wait between checks: each attempt one status read, the server retrying it after the delay
// the schedule picks (the attempt's nextRetryDelay); a failed read backs off as checkStatus does.
// Bounded per call by the deadline. TRY_CANCEL: a `checkNow` or `cancel` ends the wait at once.
export const { pollStatus } = proxyActivities<Activities>({
  startToCloseTimeout: '45s',
  retry: RETRY_UNTIL_CLOSED,
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

// Downloads heartbeat every second while the worker lives (sent on every 2 s at most), bytes
// moving or not, so a 10 s heartbeat timeout means the worker died or froze: the retry starts
// within seconds and resumes from the heartbeated offset. Slow file hosts are caught by the
// activity's own idle and low-speed limits. WAIT_CANCELLATION_COMPLETED: on cancel the activity
// deletes its partial file before the workflow may end.
export const { downloadVideo } = proxyActivities<Activities>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: '10s',
  retry: RETRY_UNTIL_CLOSED,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

// After a cancel, in a non-cancellable scope: a status read and at most one DELETE. Short; a
// failure only means the remote task runs on, which the cancel's report then says.
export const { cancelRemoteTask } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE_TYPES] },
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

// Cleanup after a cancelled download, run in a non-cancellable scope: short, idempotent.
export const { discardPartialDownload } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 3 },
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

/**
 * patched() id: runs ask the worker for its settings (search attributes and the API queue) instead
 * of only for search attributes, and send their API calls to that queue.
 */
export const API_TASK_QUEUE_PATCH = 'api-task-queue';

// Local activities: asked once per run, answered from the worker's cache, recorded as a marker.
export const { searchAttributesSupported, workerSettings } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 3 },
});
