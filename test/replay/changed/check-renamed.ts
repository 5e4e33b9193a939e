/**
 * Test-only, for the replay guard: the real workflows, but `checkStatus` is scheduled under a new
 * activity name (`getTaskStatus`), a rename without `patched()`. Bundled as both the workflows
 * module and a workflow interceptor module.
 */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

export { awaitSeedanceVideo, generateSeedanceVideo } from '../../../src/workflows';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      async scheduleActivity(input, next) {
        return next(input.activityType === 'checkStatus' ? { ...input, activityType: 'getTaskStatus' } : input);
      },
    },
  ],
});
