import { Context } from '@temporalio/activity';
import type { SeedanceApi } from './dependencies';
import { toSnapshot } from './snapshot';
import { toApplicationFailure } from './to-failure';
import type { TaskSnapshot } from './types';

export function makeCheckStatus(client: SeedanceApi) {
  return async function checkStatus(taskId: string): Promise<TaskSnapshot> {
    try {
      return toSnapshot(await client.getTask(taskId, { signal: Context.current().cancellationSignal }));
    } catch (error) {
      throw toApplicationFailure(error);
    }
  };
}
