/**
 * `cancelRemoteTask`: after a cancel, stops the remote task too when the provider can (ModelArk:
 * only while it is queued). The provider decides from a fresh status read, so a task that started
 * rendering, finished or failed keeps its record.
 */
import { Context } from '@temporalio/activity';
import { SeedanceRateLimitedError } from '../seedance/errors';
import type { CancelOutcome, VideoTaskProvider } from '../seedance/provider';
import type { FleetBrake } from './fleet-brake';
import { toApplicationFailure } from './to-failure';

export function makeCancelRemoteTask(provider: VideoTaskProvider, brake?: FleetBrake) {
  return async function cancelRemoteTask(taskId: string): Promise<CancelOutcome> {
    if (!provider.cancelTask || !provider.capabilities.cancel) return { cancelled: false, status: null };
    const { log, cancellationSignal } = Context.current();
    try {
      const outcome = await provider.cancelTask(taskId, { signal: cancellationSignal });
      log.info('remote cancel', { taskId, cancelled: outcome.cancelled, status: outcome.status });
      return outcome;
    } catch (error) {
      if (error instanceof SeedanceRateLimitedError) await brake?.engage(error.retryAfterMs);
      throw toApplicationFailure(error);
    }
  };
}
