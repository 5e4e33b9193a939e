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
import type { TaskSnapshot } from './types';
import type { VideoUrlCache } from './video-url-cache';

export function makeCheckStatus(provider: VideoTaskProvider, urls: VideoUrlCache, brake?: FleetBrake) {
  return async function checkStatus(taskId: string): Promise<TaskSnapshot> {
    try {
      const task = await provider.getTask(taskId, { signal: Context.current().cancellationSignal });
      const snapshot = toSnapshot(task);
      if (task.status === 'completed' && task.videoUrl) {
        urls.put(task.id, {
          videoUrl: task.videoUrl,
          ...(task.lastFrameUrl ? { lastFrameUrl: task.lastFrameUrl } : {}),
        });
      }
      return snapshot;
    } catch (error) {
      if (error instanceof SeedanceRateLimitedError) await brake?.engage(error.retryAfterMs);
      throw toApplicationFailure(error);
    }
  };
}
