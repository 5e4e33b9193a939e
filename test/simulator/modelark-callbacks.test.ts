/** ModelArk callbacks: one POST of the task JSON per status change, retries for succeeded and failed. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelArkSimulator } from '../../src/simulator';
import { ArkClient, CallbackReceiver, HOUR, PROMPT, SECOND, START, startModelArk, until } from './modelark-helpers';

const clock = { now: START };
const ACK_MS = 150;
const RETRY_MS = 200;
let sim: ModelArkSimulator;
let ark: ArkClient;
let receiver: CallbackReceiver;

beforeEach(async () => {
  clock.now = START;
  receiver = new CallbackReceiver();
  await receiver.start();
  // Fast profile, 720p: 1 s queued, 3 s running.
  sim = await startModelArk(clock, {
    callbackAckTimeoutMs: ACK_MS,
    callbackRetryDelayMs: RETRY_MS,
    callbackTickMs: 20,
  });
  ark = new ArkClient(sim);
});

afterEach(async () => {
  await sim.close();
  await receiver.close();
});

describe('callbacks', () => {
  it('POSTs the GET body on each status change, queued at creation, as the ticker reads the clock', async () => {
    const id = await ark.createId({ ...PROMPT, callback_url: receiver.url, return_last_frame: true });
    await until(() => receiver.received.length === 1);
    const [queued] = receiver.received;
    expect(queued?.headers['content-type']).toBe('application/json');
    expect(queued?.body).toEqual(await ark.task(id));

    clock.now += 1 * SECOND; // no request: the ticker sees the clock move
    await until(() => receiver.received.length === 2);
    expect(receiver.received[1]?.body).toEqual(await ark.task(id));

    clock.now += 3 * SECOND;
    await until(() => receiver.received.length === 3);
    const succeeded = receiver.received[2]?.body;
    expect(succeeded).toEqual(await ark.task(id));
    expect(succeeded).toMatchObject({
      status: 'succeeded',
      content: { video_url: expect.any(String), last_frame_url: expect.any(String) },
    });
    expect(receiver.statuses()).toEqual(['queued', 'running', 'succeeded']);
    expect(sim.callbacks.map((c) => [c.taskId, c.status, c.attempt, c.httpStatus, c.acknowledged, c.url])).toEqual([
      [id, 'queued', 1, 200, true, receiver.url],
      [id, 'running', 1, 200, true, receiver.url],
      [id, 'succeeded', 1, 200, true, receiver.url],
    ]);
  });

  it('sends every change a clock jump skipped over, in order, each with the body of its time', async () => {
    const task = await sim.addTask({
      callbackUrl: receiver.url,
      timing: { queuedMs: 10 * SECOND, renderMs: 20 * SECOND },
    });
    clock.now += HOUR;
    await sim.flushCallbacks();
    expect(receiver.statuses()).toEqual(['queued', 'running', 'succeeded']);
    const created = Math.floor(START / 1000);
    expect(receiver.received.map((c) => c.body.updated_at)).toEqual([created, created + 10, created + 30]);
    expect(receiver.received[0]?.body).not.toHaveProperty('content');
    expect(receiver.received.every((c) => c.body.id === task.id)).toBe(true);
  });

  it('calls back three more times when a succeeded callback is not acknowledged within the ack timeout', async () => {
    receiver.answer = () => 'hang';
    const task = await sim.addTask({ callbackUrl: receiver.url, timing: { queuedMs: 0, renderMs: 10 } });
    clock.now += 10;
    await sim.flushCallbacks();
    // queued and running are sent once even without an answer; succeeded four times.
    expect(receiver.statuses()).toEqual(['queued', 'running', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const succeeded = sim.callbacks.filter((c) => c.status === 'succeeded');
    expect(succeeded.map((c) => [c.attempt, c.error, c.acknowledged, c.done])).toEqual([
      [1, 'timeout', false, true],
      [2, 'timeout', false, true],
      [3, 'timeout', false, true],
      [4, 'timeout', false, true],
    ]);
    const gaps = succeeded.slice(1).map((c, i) => c.sentAtMs - (succeeded[i]?.sentAtMs ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(RETRY_MS - 5);
    expect(succeeded.every((c) => c.taskId === task.id)).toBe(true);
  });

  it('retries a failed callback answered with 500 until a 2xx arrives', async () => {
    receiver.answer = (call, index) => (call.body.status === 'failed' && index < 4 ? 500 : 204);
    await sim.addTask({ callbackUrl: receiver.url, timing: { queuedMs: 0, renderMs: 10 }, outcome: 'failed' });
    clock.now += 10;
    await sim.flushCallbacks();
    expect(receiver.statuses()).toEqual(['queued', 'running', 'failed', 'failed', 'failed']);
    expect(sim.callbacks.filter((c) => c.status === 'failed').map((c) => [c.httpStatus, c.acknowledged])).toEqual([
      [500, false],
      [500, false],
      [204, true],
    ]);
    expect(receiver.received[2]?.body.error).toMatchObject({
      code: 'OutputVideoSensitiveContentDetected.PolicyViolation',
    });
  });

  it('sends expired once (no retries) and never sends cancelled', async () => {
    receiver.answer = () => 500;
    const expiring = await sim.addTask({
      callbackUrl: receiver.url,
      executionExpiresAfterS: 3600,
      timing: { queuedMs: 2 * HOUR, renderMs: HOUR },
    });
    const cancelled = await ark.createId({ ...PROMPT, callback_url: receiver.url });
    await sim.flushCallbacks();
    expect((await ark.delete(cancelled)).status).toBe(200);
    clock.now += HOUR;
    await sim.flushCallbacks();
    const byTask = (id: string): unknown[] =>
      receiver.received.filter((c) => c.body.id === id).map((c) => c.body.status);
    expect(byTask(expiring.id)).toEqual(['queued', 'expired']);
    expect(byTask(cancelled)).toEqual(['queued']);
  });

  it('logs connection errors and keeps going', async () => {
    const closed = new CallbackReceiver();
    await closed.start();
    const url = closed.url;
    await closed.close();
    await sim.addTask({ callbackUrl: url, timing: { queuedMs: 0, renderMs: 0 } });
    await sim.flushCallbacks();
    const attempts = sim.callbacks.map((c) => [c.status, c.attempt, c.error]);
    expect(attempts).toEqual([
      ['queued', 1, 'ECONNREFUSED'],
      ['running', 1, 'ECONNREFUSED'],
      ['succeeded', 1, 'ECONNREFUSED'],
      ['succeeded', 2, 'ECONNREFUSED'],
      ['succeeded', 3, 'ECONNREFUSED'],
      ['succeeded', 4, 'ECONNREFUSED'],
    ]);
  });

  it('reports each ended attempt to onCallback, and close() ends hanging callbacks at once', async () => {
    await sim.close();
    sim = await startModelArk(clock, { callbackAckTimeoutMs: 60_000, callbackTickMs: 20 });
    const ended: string[] = [];
    sim.onCallback = (c) => ended.push(`${c.status} ${c.error ?? c.httpStatus}`);
    receiver.answer = () => 'hang';
    await sim.addTask({ callbackUrl: receiver.url, timing: { queuedMs: HOUR, renderMs: HOUR } });
    await until(() => receiver.received.length === 1);
    const t0 = Date.now();
    await sim.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(ended).toEqual(['queued closed']);
  });

  it('checks due callbacks on every request too', async () => {
    await sim.close();
    sim = await startModelArk(clock, { callbackTickMs: 60_000 }); // the ticker will not help
    ark = new ArkClient(sim);
    const task = await sim.addTask({ callbackUrl: receiver.url, timing: { queuedMs: 0, renderMs: 10 } });
    clock.now += 10;
    await ark.task(task.id);
    await until(() => receiver.received.length === 3);
    expect(receiver.statuses()).toEqual(['queued', 'running', 'succeeded']);
  });
});
