/**
 * The workflow's side of the package's metric series (src/observability/metrics.ts), through the
 * SDK's workflow `metricMeter`: it records nothing while replaying, so each end counts once
 * however often the history is replayed. The SDK adds namespace, taskQueue and workflowType.
 */
import { ApplicationFailure, ContinueAsNew, isCancellation, metricMeter } from '@temporalio/workflow';
import { FailureType } from '../contract/failures';
import { instrument } from '../observability/metrics';

/** The video is stored: the time from the task's creation to now (workflow time). */
export function recordVideoStored(model: string | undefined, createdMs: number | undefined): void {
  if (createdMs === undefined) return;
  const seconds = Math.max(0, Date.now() - createdMs) / 1000;
  instrument(metricMeter, 'videoCompletion').record(seconds, { model: model ?? 'unknown' });
}

/**
 * Runs a video workflow's body and counts how it ended (`seedance_videos_finished_total`); a
 * continue-as-new is no end.
 */
export async function countVideoEnd<T>(model: () => string | undefined, body: () => Promise<T>): Promise<T> {
  const finished = (outcome: string, failureType: string) =>
    instrument(metricMeter, 'videosFinished').add(1, {
      outcome,
      failure_type: failureType,
      model: model() ?? 'unknown',
    });
  try {
    const result = await body();
    finished('completed', 'none');
    return result;
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    if (isCancellation(error)) finished('cancelled', 'cancelled');
    else if (error instanceof ApplicationFailure) {
      finished(
        error.type === FailureType.WorkflowCancelled ? 'cancelled' : 'failed',
        error.type ?? 'ApplicationFailure',
      );
    } else finished('failed', 'unknown');
    throw error;
  }
}
