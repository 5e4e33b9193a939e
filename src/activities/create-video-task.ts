/**
 * `createVideoTask`: the paid, non-idempotent POST. It reports as retryable only the failures
 * that prove no task was created; every other doubt is `SeedanceCreateOutcomeUnknown`.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { FailureType } from '../contract/failures';
import { SeedanceError, SeedanceNetworkError, SeedanceRateLimitedError } from '../seedance/errors';
import type { VideoTaskProvider } from '../seedance/provider';
import type { VideoRequest } from '../seedance/video-request';
import type { FleetBrake } from './fleet-brake';
import { toSnapshot } from './snapshot';
import { toApplicationFailure } from './to-failure';
import type { TaskSnapshot } from './types';

/**
 * Whether a failed create certainly created nothing, so sending it again cannot pay twice:
 * a 429, a refusal of the request itself (4xx), or a connection that was never established.
 * Everything else (timeouts, resets after sending, 5xx, a 2xx we cannot read) is a doubt.
 */
export function createCertainlyFailed(error: unknown): boolean {
  if (error instanceof SeedanceRateLimitedError) return true;
  if (error instanceof SeedanceNetworkError) return !error.sent;
  if (error instanceof SeedanceError)
    return (
      error.code === FailureType.InvalidRequest ||
      (error.status !== undefined && error.status >= 400 && error.status < 500)
    );
  return false;
}

export function makeCreateVideoTask(provider: VideoTaskProvider, brake?: FleetBrake) {
  return async function createVideoTask(request: VideoRequest): Promise<TaskSnapshot> {
    const { log, info } = Context.current();
    let task;
    try {
      const workflowId = info.workflowExecution?.workflowId;
      task = await provider.createTask(request, workflowId ? { workflowId } : {});
    } catch (error) {
      if (error instanceof SeedanceRateLimitedError) await brake?.engage(error.retryAfterMs);
      if (createCertainlyFailed(error)) throw toApplicationFailure(error);
      log.warn('create outcome unknown', { error: error instanceof SeedanceError ? error.code : 'unknown' });
      throw ApplicationFailure.create({
        type: FailureType.CreateOutcomeUnknown,
        message: `the create request may or may not have created a task (${error instanceof SeedanceError ? error.message : 'unexpected error'}); not retried so it is never paid twice`,
        nonRetryable: true,
      });
    }
    try {
      return toSnapshot(task);
    } catch (error) {
      throw toApplicationFailure(error);
    }
  };
}
