/**
 * What happens to an attempt's sink when the attempt fails: why it ended decides whether the next
 * attempt may resume from what it wrote, or nobody will.
 */
import type { ActivityCancellationDetails } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import { NON_RETRYABLE_TYPES, type FailureType } from '../contract/failures';
import type { VideoSink } from '../storage/sink';
import { toApplicationFailure } from './to-failure';

/**
 * - `cancelled`: the workflow cancelled the activity; delete every partial of the download.
 * - `shutdown`: the worker is shutting down; checkpoint and keep the sink's bytes for the next attempt.
 * - `zombie`: the server gave this attempt's work to another (timed out or not found); stop and
 *   leave the files alone, the live attempt owns the download now.
 * - `retrying`: a failure Temporal will retry; checkpoint and keep the sink's bytes.
 * - `final`: no attempt will follow; delete every partial of the download.
 */
export type StopReason = 'cancelled' | 'shutdown' | 'zombie' | 'retrying' | 'final';

export function stopReason(details: ActivityCancellationDetails | undefined, error: unknown): StopReason {
  if (details?.cancelRequested) return 'cancelled';
  if (details?.workerShutdown) return 'shutdown';
  if (details?.timedOut || details?.notFound) return 'zombie';
  return willRetry(error) ? 'retrying' : 'final';
}

/**
 * Whether Temporal will run another attempt after this error: the same decision as the failure
 * the activity reports (its `nonRetryable` flag, or a type the retry policy never retries).
 */
export function willRetry(error: unknown): boolean {
  const failure = toApplicationFailure(error);
  if (!(failure instanceof ApplicationFailure)) return true;
  return !failure.nonRetryable && !NON_RETRYABLE_TYPES.includes(failure.type as FailureType);
}

/** The failed attempt's sink and the download's means to keep or drop it. */
export interface PartialToDispose {
  sink: Pick<VideoSink, 'discard' | 'close'>;
  /** Heartbeat the sink's durable checkpoint: the next attempt resumes from it. */
  checkpoint(): Promise<void>;
  /** Deletes what earlier attempts of the download left behind. */
  removeOtherPartials(): Promise<void>;
}

export async function disposePartial(reason: StopReason, target: PartialToDispose): Promise<void> {
  const { sink } = target;
  switch (reason) {
    case 'cancelled':
    case 'final':
      // No attempt will resume: leave no partial of this download behind, an earlier attempt's included.
      await sink.discard();
      await target.removeOtherPartials();
      return;
    case 'shutdown':
    case 'retrying':
      await target.checkpoint().catch(() => undefined);
      await sink.close();
      return;
    case 'zombie':
      await sink.close();
      return;
  }
}
