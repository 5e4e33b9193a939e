/**
 * The activities' side of the package's metric series (src/observability/metrics.ts), recorded
 * through the running activity's meter: the SDK adds namespace, taskQueue and activityType.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory, CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { instrument } from '../observability/metrics';

/** One status read: what it found (`queued`, `processing`, `completed`...) or `error`. */
export function countStatusCheck(status: string, model: string | undefined): void {
  instrument(Context.current().metricMeter, 'statusChecks').add(1, { status, model: model ?? 'unknown' });
}

/** One downloadVideo attempt's end: its duration, and the bytes it fetched from the file host. */
export function recordDownloadAttempt(
  context: Context,
  attempt: { result: 'stored' | 'failed'; seconds: number; bytes: number; model: string | undefined },
): void {
  const { metricMeter } = context;
  instrument(metricMeter, 'downloadSeconds').record(attempt.seconds, { result: attempt.result });
  if (attempt.bytes > 0)
    instrument(metricMeter, 'downloadBytes').add(attempt.bytes, { model: attempt.model ?? 'unknown' });
}

/** A downloadVideo attempt resumed from an earlier attempt's checkpoint. */
export function countDownloadResume(context: Context, model: string | undefined): void {
  instrument(context.metricMeter, 'downloadResumes').add(1, { model: model ?? 'unknown' });
}

/**
 * Counts the activity attempts that fail, by failure type (`seedance_activity_failures_total`):
 * register it in `interceptors.activity` (the Seedance worker does). A BENIGN failure (pollStatus
 * finding the task still running) is the schedule working, not a failure; a cancel is `cancelled`.
 */
export const countActivityFailures: ActivityInterceptorsFactory = (context) => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (error) {
        const type = failureTypeOf(error);
        if (type) instrument(context.metricMeter, 'activityFailures').add(1, { failure_type: type });
        throw error;
      }
    },
  },
});

function failureTypeOf(error: unknown): string | undefined {
  if (error instanceof ApplicationFailure) {
    return error.category === ApplicationFailureCategory.BENIGN ? undefined : (error.type ?? 'ApplicationFailure');
  }
  if (error instanceof CancelledFailure) return 'cancelled';
  return 'unknown';
}
