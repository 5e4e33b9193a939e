/**
 * Creating a task is a paid, non-idempotent POST and the API has no idempotency key. So the
 * activity is never retried by Temporal (a retry after a worker crash could pay twice); this
 * workflow code retries only failures that prove no task was created (429, connection refused),
 * and turns every other doubt into `SeedanceCreateOutcomeUnknown`.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  log,
  proxyActivities,
  setCurrentDetails,
  sleep,
} from '@temporalio/workflow';
import type { Activities, TaskSnapshot } from '../activities/types';
import type { CreateVideoRequest } from '../seedance/schemas';
import { FailureType } from '../contract/failures';
import { nonRetryable } from './failure';

// 45 s: the client's 30 s request timeout plus margin. A worker that dies mid-POST is detected
// by this timeout, and the outcome is then unknown: the sooner the caller learns it, the better.
const { createVideoTask } = proxyActivities<Activities>({
  startToCloseTimeout: '45s',
  retry: { maximumAttempts: 1 },
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

const MAX_CREATE_ATTEMPTS = 5;
const BACKOFF_MS = [5_000, 15_000, 30_000, 60_000];

export async function createTaskOnce(request: CreateVideoRequest): Promise<TaskSnapshot> {
  for (let attempt = 1; ; attempt++) {
    setCurrentDetails(`Creating a ${request.model} task (attempt ${attempt})`);
    try {
      const snapshot = await createVideoTask.executeWithOptions({ summary: `Create a ${request.model} task` }, [request]);
      log.info('task created', { taskId: snapshot.taskId, model: snapshot.model });
      return snapshot;
    } catch (error) {
      const failure = error instanceof ActivityFailure ? error.cause : undefined;
      if (!(failure instanceof ApplicationFailure)) {
        // A timeout or a lost worker: the POST may have reached the API.
        if (error instanceof ActivityFailure) {
          throw nonRetryable(
            FailureType.CreateOutcomeUnknown,
            'the create request may or may not have created a task (the worker or the connection was lost); not retried so it is never paid twice',
            { cause: failure?.message ?? 'unknown' },
          );
        }
        throw error;
      }
      // The activity marks as retryable only failures that prove nothing was created.
      if (failure.nonRetryable || attempt >= MAX_CREATE_ATTEMPTS) throw error;
      const delay = retryAfterMs(failure) ?? BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)]!;
      log.warn('create refused, retrying', { type: failure.type, attempt });
      await sleep(delay, { summary: `Retry create after ${failure.type}` });
    }
  }
}

/** The server's Retry-After, carried in the failure's details by the activity. */
function retryAfterMs(failure: ApplicationFailure): number | undefined {
  const detail = failure.details?.[0] as { retryAfterMs?: unknown } | undefined;
  const ms = detail?.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
