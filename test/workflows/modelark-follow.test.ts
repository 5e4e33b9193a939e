/**
 * ModelArk-specific paths of the follow loop on the time-skipping server: a create that answers
 * only an id (its times are the worker's clock, which this server's clock runs far ahead of), and
 * the sparse fallback polling that only tasks this run created with callbacks get.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelArkTestStack, type SeedanceTestStack } from '../../src/testing/harness';
import type { ModelArkSimulator } from '../../src/simulator';
import { workflowBundle } from '../helpers/harness';
import { gaps, statusRequests } from '../helpers/requests';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { startAwait, startGenerate, uniqueId } from '../helpers/workflows';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

let env: TestWorkflowEnvironment;
/** Creates send a callback URL that nobody answers: the provider believes it calls back. */
let h: SeedanceTestStack<ModelArkSimulator>;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  h = await startModelArkTestStack({
    env,
    workflowBundle: await workflowBundle(),
    // 480p as documented (about a minute); 720p renders for 10 min, so a run with callbacks, polled
    // every 2-4 min, waits on at least two timers whatever its task id's jitter.
    simulator: {
      profile: {
        seedance_1_5_pro_480p: { queuedMs: 10_000, renderMs: 50_000 },
        seedance_1_5_pro_720p: { queuedMs: 20_000, renderMs: 600_000 },
      },
    },
    callback: { url: 'http://127.0.0.1:9/seedance/callback', secret: 'a-secret-of-sixteen-chars' },
  });
});

afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

describe('ModelArk on the time-skipping server', () => {
  it("follows a created task on the workflow's clock, however far ahead of the worker's clock it runs", async () => {
    // Three days of server time pass in an instant; the worker's own clock (the create's) does not move.
    await env.sleep(3 * DAY);
    const handle = await startGenerate(h.client, h.taskQueue, {
      request: { model: 'seedance-1-5-pro-251215', resolution: '480p', content: [{ type: 'text', text: 'a fox' }] },
    });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', model: 'seedance-1-5-pro-251215' });
    expect(result.video.sha256).toBe(h.sim.videoSha256);
  });

  it('polls a task it created with callbacks on four times less often: the callback is the signal', async () => {
    const handle = await startGenerate(h.client, h.taskQueue, {
      request: { model: 'seedance-1-5-pro-251215', resolution: '720p', content: [{ type: 'text', text: 'a fox' }] },
    });
    const { taskId } = await handle.result().catch(() => ({ taskId: '' }));
    expect(taskId).not.toBe('');
    // The checks as the status endpoint saw them: the first at the 720p earliest finish (2 min) or
    // later, every later one 4 x 30-60 s after the one before.
    const reads = statusRequests(h.sim, taskId).map((r) => r.at);
    expect(reads.length).toBeGreaterThanOrEqual(2);
    for (const ms of gaps(reads)) {
      expect(ms).toBeGreaterThanOrEqual(120 * SECOND);
      expect(ms).toBeLessThanOrEqual(241 * SECOND);
    }
  });

  it('polls a task created elsewhere as usual, callbacks or not (it may never call back)', async () => {
    const taskId = `cgt-20261201000000-${uniqueId('a')
      .replace(/[^a-z0-9]/g, '')
      .slice(-5)}`;
    await h.sim.addTask({ id: taskId, resolution: '720p', timing: { queuedMs: MINUTE, renderMs: 8 * MINUTE } });
    const handle = await startAwait(h.client, h.taskQueue, { taskId });
    await handle.result();
    const reads = statusRequests(h.sim, taskId).map((r) => r.at);
    expect(reads.length).toBeGreaterThanOrEqual(4);
    // The default schedule: 10-120 s apart inside the 720p range, the documented 30 s past it (the
    // task renders 9 min); sparse polling would wait 120-240 s every time.
    const later = gaps(reads).slice(1);
    for (const ms of later) {
      expect(ms).toBeGreaterThanOrEqual(10 * SECOND);
      expect(ms).toBeLessThanOrEqual(125 * SECOND);
    }
    expect(Math.min(...later)).toBeLessThanOrEqual(35 * SECOND);
  });
});
