/**
 * `checkStatus`: one status GET, recorded as a snapshot without the signed URL. The URL of a
 * completed task (and of its last frame) is kept in this worker's memory for the download that follows.
 */
import { Context } from '@temporalio/activity';
import { SeedanceRateLimitedError } from '../seedance/errors';
import type { VideoTaskProvider } from '../seedance/provider';
import type { FleetBrake } from './fleet-brake';
import { toSnapshot } from './snapshot';
import { toApplicationFailure } from './to-failure';
import { countStatusCheck } from './activity-metrics';
import type { CompletionStats } from './completion-stats';
import type { CheckContext, TaskSnapshot } from './types';
import type { VideoUrlCache } from './video-url-cache';

export function makeCheckStatus(
  provider: VideoTaskProvider,
  urls: VideoUrlCache,
  brake?: FleetBrake,
  completions?: CompletionStats,
) {
  return async function checkStatus(taskId: string, context: CheckContext = {}): Promise<TaskSnapshot> {
    const { cancellationSignal, info } = Context.current();
    try {
      const task = await provider.getTask(taskId, { signal: cancellationSignal });
      const snapshot = toSnapshot(task);
      countStatusCheck(task.status, task.model);
      if (task.status === 'completed' && task.videoUrl) {
        urls.put(task.id, {
          videoUrl: task.videoUrl,
          ...(task.lastFrameUrl ? { lastFrameUrl: task.lastFrameUrl } : {}),
        });
        completions?.record(
          { ...task, taskId: task.id },
          completionTime(
            task.completedAtMs,
            context.lastCheckedAtMs,
            context.readAtMs ?? info.currentAttemptScheduledTimestampMs,
          ) - task.createdMs,
        );
      }
      return snapshot;
    } catch (error) {
      countStatusCheck('error', undefined);
      if (error instanceof SeedanceRateLimitedError) await brake?.engage(error.retryAfterMs);
      throw toApplicationFailure(error);
    }
  };
}

/**
 * When a task completed: as the provider says, or else halfway between the last check that saw it
 * running and this one (unbiased when completions spread evenly over a check interval), or else
 * this check's time. Times are the Temporal server's (the workflow's, and the attempt's schedule
 * time), not this worker's clock.
 */
function completionTime(
  reportedMs: number | null | undefined,
  lastCheckedAtMs: number | null | undefined,
  seenAtMs: number,
): number {
  if (typeof reportedMs === 'number') return reportedMs;
  return typeof lastCheckedAtMs === 'number' && lastCheckedAtMs <= seenAtMs
    ? (lastCheckedAtMs + seenAtMs) / 2
    : seenAtMs;
}
