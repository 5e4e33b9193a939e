/**
 * Test-only, for the replay guard: the real workflows, but the local activity that asks the worker
 * (`searchAttributesSupported`, or `workerSettings` behind the `api-task-queue` patch) is dropped
 * and answered with its default without being scheduled, as if someone deleted the call.
 * Bundled as both the workflows module and a workflow interceptor module. Histories with its
 * marker must fail to replay; runs after continue-as-new never ask, so theirs still replay.
 */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

export { awaitSeedanceVideo, generateSeedanceVideo } from '../../../src/workflows';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      async scheduleLocalActivity(input, next) {
        if (input.activityType === 'searchAttributesSupported') return false;
        if (input.activityType === 'workerSettings') return { searchAttributes: false, apiTaskQueue: null };
        return next(input);
      },
    },
  ],
});
