/** Workflows of `clock-drift.ts`: checks every 30 s as one activity's retries, or as a timer loop. */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { DriftActivities } from './clock-drift';

const { retryCheck, timerCheck } = proxyActivities<DriftActivities>({
  startToCloseTimeout: '10m',
  retry: { initialInterval: '30s', backoffCoefficient: 1 },
});

/** `checks` attempts of one activity; each but the last fails BENIGN with nextRetryDelay 30 s. */
export async function retryChecks(checks: number): Promise<void> {
  await retryCheck(checks);
}

/** `checks` times: a 30 s timer, then one activity. */
export async function timerChecks(checks: number): Promise<void> {
  for (let i = 0; i < checks; i++) {
    await sleep('30s');
    await timerCheck();
  }
}
