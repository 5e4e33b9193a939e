/**
 * Creating a task is a paid, non-idempotent POST and the API has no idempotency key. So the
 * activity is never retried by Temporal (`maximumAttempts: 1`, see activity-options.ts): a retry
 * after a worker crash could pay twice. This workflow code retries only failures that prove no task
 * was created (429, connection refused), and turns every other doubt into
 * `SeedanceCreateOutcomeUnknown`.
 */
import { ActivityFailure, ApplicationFailure, log, setCurrentDetails, sleep } from '@temporalio/workflow';
import type { TaskSnapshot } from '../activities/types';
import type { VideoRequest } from '../seedance/video-request';
import { FailureType } from '../contract/failures';
import { createVideoTask } from './activity-options';
import { nonRetryable } from './failure';

const MAX_CREATE_ATTEMPTS = 5;
const BACKOFF_MS = [5_000, 15_000, 30_000, 60_000];

/** Creates the task; `taskQueue` is where API calls go (default: the workflow's own queue). */
export async function createTaskOnce(request: VideoRequest, taskQueue?: string): Promise<TaskSnapshot> {
  for (let attempt = 1; ; attempt++) {
    setCurrentDetails(`Creating a ${request.model} task (attempt ${attempt})`);
    try {
      const summary = `Create a ${request.model} task`;
      const snapshot = await createVideoTask.executeWithOptions({ summary, ...(taskQueue ? { taskQueue } : {}) }, [
        request,
      ]);
      log.info('task created', { taskId: snapshot.taskId, model: snapshot.model });
      return snapshot;
    } catch (error) {
      const failure = error instanceof ActivityFailure ? error.cause : undefined;
      if (!(failure instanceof ApplicationFailure)) {
        // A timeout or a lost worker: the POST may have reached the API.
        if (error instanceof ActivityFailure) {
          throw nonRetryable(
            FailureType.CreateOutcomeUnknown,
            'the create request may or may not have created a task (the worker or the connection was lost);' +
              ' not retried so it is never paid twice',
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
