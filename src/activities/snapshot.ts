import type { SeedanceTask } from '../seedance/schemas';
import { SeedanceInvalidResponseError } from '../seedance/errors';
import type { TaskSnapshot } from './types';

/** The API's task as the workflow records it: no `video_url` (a credential) in history. */
export function toSnapshot(task: SeedanceTask): TaskSnapshot {
  if (task.status === 'completed' && !task.video_url) {
    throw new SeedanceInvalidResponseError(`task ${task.id} is completed but its status carries no video_url`);
  }
  return {
    taskId: task.id,
    model: task.model,
    createdMs: task.created * 1000,
    status: task.status,
    actualDuration: task.actualDuration ?? null,
    error: task.status === 'failed' ? (task.error ?? null) : null,
  };
}
