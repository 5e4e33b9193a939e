import type { ProviderTask } from '../seedance/provider';
import { SeedanceInvalidResponseError } from '../seedance/errors';
import type { TaskSnapshot } from './types';

/**
 * The provider's task as the workflow records it: no URLs (they are credentials) in history, and
 * the provider-specific facts only where the provider reported them.
 */
export function toSnapshot(task: ProviderTask): TaskSnapshot {
  if (task.status === 'completed' && !task.videoUrl) {
    throw new SeedanceInvalidResponseError(`task ${task.id} is completed but its status carries no video URL`);
  }
  const ended = task.status === 'failed' || task.status === 'expired';
  return {
    taskId: task.id,
    model: task.model,
    createdMs: task.createdMs,
    status: task.status,
    actualDuration: task.actualDuration ?? null,
    error: ended ? (task.error ?? null) : null,
    ...(ended && task.errorCode ? { errorCode: task.errorCode } : {}),
    ...(task.resolution ? { resolution: task.resolution } : {}),
    ...(task.serviceTier ? { serviceTier: task.serviceTier } : {}),
    ...(task.expiresAtMs ? { expiresAtMs: task.expiresAtMs } : {}),
    ...(task.videoUrlExpiresAtMs && task.status === 'completed'
      ? { videoUrlExpiresAtMs: task.videoUrlExpiresAtMs }
      : {}),
    ...(task.usage ? { usage: task.usage } : {}),
    ...(task.status === 'completed' && task.lastFrameUrl ? { hasLastFrame: true } : {}),
    ...(task.localTimes ? { localTimes: true } : {}),
  };
}
