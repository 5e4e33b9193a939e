/**
 * The one activity the baselines add to the package's: the retry-as-poll sample's status read,
 * which fails (BENIGN: not-ready is no error) while the task runs, so the server retries it.
 */
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { Activities, TaskSnapshot } from '../../src/activities/types';

export interface BenchActivities {
  checkStatusUntilDone(taskId: string): Promise<TaskSnapshot>;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'expired']);

/** Wraps the package's real `checkStatus`: one status read per attempt. */
export function createBenchActivities(activities: Pick<Activities, 'checkStatus'>): BenchActivities {
  return {
    async checkStatusUntilDone(taskId) {
      const snapshot = await activities.checkStatus(taskId);
      if (TERMINAL.has(snapshot.status)) return snapshot;
      throw ApplicationFailure.create({
        message: `task ${taskId} is ${snapshot.status}`,
        type: 'SeedanceTaskNotDone',
        category: ApplicationFailureCategory.BENIGN,
      });
    },
  };
}
