/**
 * Test-only, for the replay guard: the real workflows, but after a cancel the `cancelRemoteTask`
 * activity is never scheduled (answered "not stopped" at once), as if someone deleted the call
 * without `patched()`. Bundled as both the workflows module and a workflow interceptor module.
 * Histories that stopped a queued ModelArk task must fail to replay; all others still replay.
 */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

export { awaitSeedanceVideo, generateSeedanceVideo } from '../../../src/workflows';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      async scheduleActivity(input, next) {
        if (input.activityType === 'cancelRemoteTask') return { cancelled: false, status: null };
        return next(input);
      },
    },
  ],
});
