/**
 * `SEEDANCE_SCHEDULE=adaptive` on the time-skipping server: checks spaced by the completion times
 * the worker has seen, handed to each new run with its worker settings (so it replays).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness';
import { statusRequests } from '../helpers/requests';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { ids, startAwait } from '../helpers/workflows';

const S = 1000;

let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  h = await startHarness({ env, schedule: 'adaptive' });
});

afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

/** Follows a 720p task that completes `doneMs` after creation; its status reads and the lag. */
async function follow(prefix: string, doneMs: number): Promise<{ reads: number; lagMs: number }> {
  const { taskId } = ids(prefix);
  const createdMs = await env.currentTimeMs();
  await h.sim.addTask({
    id: taskId,
    model: 'seedance_1_5_pro_720p',
    createdMs,
    timing: { queuedMs: 0, renderMs: doneMs },
  });
  // An await run checks at once, as if someone else had created the task a moment ago.
  await (await startAwait(h.client, h.taskQueue, { taskId })).result();
  const reads = statusRequests(h.sim, taskId);
  return { reads: reads.length, lagMs: reads.at(-1)!.at - (createdMs + doneMs) };
}

describe('the adaptive schedule', () => {
  it('learns a fleet whose 720p tasks take about 200 s, and then checks a new one far less often', async () => {
    // Before learning: the documented 2-5 min range.
    const before = await follow('adaptive-first', 200 * S);
    // 20 tasks of 195-205 s teach the worker (one after the other: concurrent downloads and
    // timers on the time-skipping server let it skip past the downloads' timeouts).
    for (let i = 0; i < 20; i++) await follow(`adaptive-learn-${i}`, 195 * S + i * 500);
    const after = await follow('adaptive-learned', 200 * S);
    // Polling every 30 s (the documented minimum) would read about 7 times; the documented range, 3-5
    // times (with the task's jitter); once learned, at most 3, and the video is seen within half a minute.
    expect(after.reads).toBeLessThanOrEqual(Math.min(3, before.reads));
    expect(after.lagMs).toBeLessThan(30 * S);
    expect(after.lagMs).toBeGreaterThanOrEqual(0);
  });
});
