/**
 * Scenarios 17, 18 and 19 (docs/reliability-scenarios.md) on Temporal's time-skipping server: rate
 * limits and flaky 5xx answers on the status endpoint, permanent API errors, and cancellation while
 * a status check is in flight or waiting out a rate limit. The simulator runs on the server's
 * clock, so the gaps in its request log are simulated time; the retry waits are the server's own
 * (activity retries are scheduled by the Temporal server, not by workflow code).
 *
 * On either provider (test/helpers/provider.ts). ModelArk answers errors in its envelope with a
 * code, documents no Retry-After (the simulator sends one here when asked to), and can cancel a
 * queued task: after a cancel, the workflow reads the status once more and sends a DELETE if the
 * task is still queued. Those differences are the branches on `onModelArk` below.
 */
import { startProviderDevHarness, type DevHarness } from '../helpers/dev-harness';
import { workflowFailure } from '../helpers/assertions';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedanceWorker, type SeedanceWorker } from '../../src/create-worker';
import type { SeedanceVideoStatus } from '../../src/contract/types';
import type { AnySimulator } from '../../src/simulator';
import { SIM_KEY, startProviderHarness, workflowBundle, type ProviderHarness } from '../helpers/harness';
import { countEvents, historyText, scheduledActivities, startedAttempts } from '../helpers/history';
import { addTask, onModelArk, workerApiOptions } from '../helpers/provider';
import { deleteRequests, gaps, statusRequests } from '../helpers/requests';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { until } from '../helpers/wait';
import { ids, startAwait, startGenerate } from '../helpers/workflows';

const WRONG_KEY = 'sk-wrong-worker-key-5f4e3d2c1b0a';

let env: TestWorkflowEnvironment;
let h: ProviderHarness;
/** A second worker, on its own task queue, whose API key the simulator does not accept. */
let wrongKeyWorker: SeedanceWorker;
let wrongKeyRunning: Promise<void>;
const WRONG_KEY_QUEUE = `seedance-wrong-key-${process.pid}`;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  h = await startProviderHarness({ env });
  wrongKeyWorker = await createSeedanceWorker({
    connection: env.nativeConnection,
    taskQueue: WRONG_KEY_QUEUE,
    ...workerApiOptions(h.sim, WRONG_KEY),
    output: h.storage,
    download: { allowPrivateUrls: true },
    shutdownGraceTimeMs: 1_000,
    workflowBundle: await workflowBundle(),
  });
  wrongKeyRunning = wrongKeyWorker.run();
});

afterAll(async () => {
  if (wrongKeyWorker?.getState() === 'RUNNING') wrongKeyWorker.shutdown();
  await wrongKeyRunning?.catch(() => undefined);
  await h?.close();
  await env?.teardown();
});

async function history(workflowId: string) {
  return h.client.workflow.getHandle(workflowId).fetchHistory();
}

/** A task that is completed from 3 s after creation (simulated). */
async function quickTask(taskId: string) {
  await addTask(h.sim, { id: taskId, resolution: '720p', timing: { queuedMs: 1_000, renderMs: 2_000 } });
}

describe('17: rate limited and flaky status endpoint', () => {
  it('waits out Retry-After: 7 on a 429 before the next status request, then completes', async () => {
    const { taskId, workflowId } = ids('ratelimit');
    await quickTask(taskId);
    h.sim.inject({ target: 'status', kind: 'rateLimit', retryAfterSeconds: 7 });
    const handle = await startAwait(h.client, h.taskQueue, { taskId });
    const result = await handle.result();

    expect(result).toMatchObject({ taskId, status: 'completed', checks: 1 });
    expect(result.video.sha256).toBe(h.sim.videoSha256);
    const requests = statusRequests(h.sim, taskId);
    expect(requests.map((r) => r.status)).toEqual([429, 200]);
    // The retry policy alone would have retried after 2 s: the 7 s come from nextRetryDelay.
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(7_000);
    expect(requests[1]!.at - requests[0]!.at).toBeLessThan(9_000);

    // The server retried the same activity (attempt 2): not a new check from workflow code.
    const hist = await history(workflowId);
    const [started] = startedAttempts(hist, 'checkStatus');
    expect(started!.activityTaskStartedEventAttributes!.attempt).toBe(2);
    expect(countEvents(hist, 'timerStartedEventAttributes')).toBe(0);
  });

  it('honours a Retry-After longer than the retry policy maximum interval (90 s > 1 min)', async () => {
    const { taskId } = ids('ratelimit-long');
    await quickTask(taskId);
    h.sim.inject({ target: 'status', kind: 'rateLimit', retryAfterSeconds: 90 });
    const result = await (await startAwait(h.client, h.taskQueue, { taskId })).result();
    expect(result.status).toBe('completed');
    const [first, second] = statusRequests(h.sim, taskId);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(90_000);
    expect(second!.at - first!.at).toBeLessThan(95_000);
  });

  it('retries 503 three times with exponential backoff (2 s, 4 s, 8 s), then completes', async () => {
    const { taskId, workflowId } = ids('flaky');
    await quickTask(taskId);
    h.sim.inject({ target: 'status', kind: 'status', code: 503, body: 'html', times: 3 });
    const result = await (await startAwait(h.client, h.taskQueue, { taskId })).result();

    expect(result).toMatchObject({ status: 'completed', checks: 1 });
    const requests = statusRequests(h.sim, taskId);
    expect(requests.map((r) => r.status)).toEqual([503, 503, 503, 200]);
    const waits = gaps(requests.map((r) => r.at));
    [2_000, 4_000, 8_000].forEach((expected, i) => {
      expect(waits[i]).toBeGreaterThanOrEqual(expected);
      expect(waits[i]).toBeLessThan(expected + 1_500);
    });
    const [started] = startedAttempts(await history(workflowId), 'checkStatus');
    expect(started!.activityTaskStartedEventAttributes!.attempt).toBe(4);
  });

  // ModelArk's documented 429 codes come without Retry-After: QuotaExceeded (the free quota or the
  // queue is full) is waited out for at least a minute, the others by the retry policy.
  it.runIf(onModelArk)(
    'ModelArk: a 429 QuotaExceeded without Retry-After waits 60 s; ServerOverloaded the policy’s 2 s',
    async () => {
      // Each task is added right before its run: a finished download moves the test server's clock
      // on to its schedule-to-close timeout (the URL's expiry), and a ModelArk URL expires 24 h
      // after the task completed, not after the read that handed it out.
      const quota = ids('quota');
      await quickTask(quota.taskId);
      h.sim.inject({ target: 'status', kind: 'rateLimit', errorCode: 'QuotaExceeded' });
      await (await startAwait(h.client, h.taskQueue, { taskId: quota.taskId })).result();
      const overloaded = ids('overloaded');
      await quickTask(overloaded.taskId);
      h.sim.inject({ target: 'status', kind: 'rateLimit', errorCode: 'ServerOverloaded' });
      await (await startAwait(h.client, h.taskQueue, { taskId: overloaded.taskId })).result();

      const [quota429, quota200] = statusRequests(h.sim, quota.taskId);
      expect([quota429!.status, quota200!.status]).toEqual([429, 200]);
      expect(quota200!.at - quota429!.at).toBeGreaterThanOrEqual(60_000);
      expect(quota200!.at - quota429!.at).toBeLessThan(62_000);
      const [overloaded429, overloaded200] = statusRequests(h.sim, overloaded.taskId);
      expect([overloaded429!.status, overloaded200!.status]).toEqual([429, 200]);
      expect(overloaded200!.at - overloaded429!.at).toBeGreaterThanOrEqual(2_000);
      expect(overloaded200!.at - overloaded429!.at).toBeLessThan(3_500);
    },
  );
});

describe('18: permanent API errors fail at once with distinct non-retryable types', () => {
  async function expectImmediateFailure(workflowId: string, taskId: string, failure: ApplicationFailure, type: string) {
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(true);
    // One request, one attempt, no timer: nothing was retried or waited for.
    expect(statusRequests(h.sim, taskId)).toHaveLength(1);
    const hist = await history(workflowId);
    const started = startedAttempts(hist, 'checkStatus');
    expect(started).toHaveLength(1);
    expect(started[0]!.activityTaskStartedEventAttributes!.attempt).toBe(1);
    expect(countEvents(hist, 'timerStartedEventAttributes')).toBe(0);
    // Neither key anywhere: the failure (message, cause chain) and the whole history.
    const text = historyText(hist);
    expect(text).toContain(`"taskId": "${taskId}"`); // payloads are decoded: the grep sees inputs and failures
    for (const key of [SIM_KEY, WRONG_KEY]) {
      expect(text).not.toContain(key);
      expect(
        JSON.stringify({ message: failure.message, cause: failure.cause?.message, details: failure.details }),
      ).not.toContain(key);
    }
    return text;
  }

  it('401 (the worker has the wrong key): SeedanceUnauthorized after one status request', async () => {
    const { taskId, workflowId } = ids('unauthorized');
    await quickTask(taskId);
    const failure = await workflowFailure((await startAwait(h.client, WRONG_KEY_QUEUE, { taskId })).result());
    await expectImmediateFailure(workflowId, taskId, failure, 'SeedanceUnauthorized');
    expect(statusRequests(h.sim, taskId)[0]).toMatchObject({ status: 401, authorization: 'wrong' });
    expect(failure.message).toContain('HTTP 401');
  });

  it('401 on create (wrong key): SeedanceUnauthorized after one POST, no task created', async () => {
    const createsBefore = h.sim.createCount();
    const postsBefore = h.sim.requests.filter((r) => r.kind === 'create').length;
    const handle = await startGenerate(h.client, WRONG_KEY_QUEUE, {
      request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: 'a lighthouse at dusk' }] },
    });
    const failure = await workflowFailure(handle.result());
    expect(failure.type).toBe('SeedanceUnauthorized');
    expect(h.sim.createCount()).toBe(createsBefore);
    const posts = h.sim.requests.filter((r) => r.kind === 'create').slice(postsBefore);
    expect(posts.map((r) => r.status)).toEqual([401]);
    const text = historyText(await handle.fetchHistory());
    expect(text).not.toContain(WRONG_KEY);
    expect(text).not.toContain(SIM_KEY);
  });

  it('403: SeedanceForbidden after one status request', async () => {
    const { taskId, workflowId } = ids('forbidden');
    await quickTask(taskId);
    h.sim.inject({ target: 'status', kind: 'status', code: 403 });
    const failure = await workflowFailure((await startAwait(h.client, h.taskQueue, { taskId })).result());
    await expectImmediateFailure(workflowId, taskId, failure, 'SeedanceForbidden');
    expect(statusRequests(h.sim, taskId)[0]).toMatchObject({ status: 403, authorization: 'ok' });
  });

  it('404: SeedanceTaskNotFound after one status request', async () => {
    const { taskId, workflowId } = ids('missing');
    const failure = await workflowFailure((await startAwait(h.client, h.taskQueue, { taskId })).result());
    await expectImmediateFailure(workflowId, taskId, failure, 'SeedanceTaskNotFound');
    expect(statusRequests(h.sim, taskId)[0]!.status).toBe(404);
  });
});

describe('17 on a real Temporal server (dev server): nextRetryDelay from Retry-After', () => {
  let dev: DevHarness<AnySimulator>;

  beforeAll(async () => {
    dev = await startProviderDevHarness();
  });

  afterAll(async () => {
    await dev?.close();
  });

  it('the server waits the 3 s of Retry-After (the policy alone says 2 s) and records nextRetryDelay', async () => {
    const task = await addTask(dev.sim, { resolution: '720p', createdMs: Date.now() - 600_000 });
    dev.sim.inject({ target: 'status', kind: 'rateLimit', retryAfterSeconds: 3 });
    const handle = await startAwait(dev.client, dev.taskQueue, { taskId: task.id });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', checks: 1 });
    const requests = statusRequests(dev.sim, task.id);
    expect(requests.map((r) => r.status)).toEqual([429, 200]);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(3_000);
    expect(requests[1]!.at - requests[0]!.at).toBeLessThan(5_000);
    const [started] = startedAttempts(await handle.fetchHistory(), 'checkStatus');
    const attributes = started!.activityTaskStartedEventAttributes!;
    expect(attributes.attempt).toBe(2);
    expect(attributes.lastFailure!.applicationFailureInfo!.type).toBe('SeedanceRateLimited');
    expect(Number(attributes.lastFailure!.applicationFailureInfo!.nextRetryDelay!.seconds)).toBe(3);
  });
});

describe('19: cancel while a status check is in flight or waiting out a rate limit', () => {
  it('ends at once when cancelled while the server waits out a Retry-After; the retry never comes', async () => {
    const { taskId } = ids('cancel-backoff');
    await quickTask(taskId);
    h.sim.inject({ target: 'status', kind: 'rateLimit', retryAfterSeconds: 60 });
    const handle = await startAwait(h.client, h.taskQueue, { taskId });
    await until(() => statusRequests(h.sim, taskId)[0]?.status === 429);
    await handle.signal('cancel', { reason: 'rate limited, give up' });
    const failure = await workflowFailure(handle.result());
    expect(failure.type).toBe('SeedanceWorkflowCancelled');
    // Skip well past the Retry-After: the server-side retry of the cancelled check is never sent.
    const before = await env.currentTimeMs();
    await env.sleep('3m');
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(180_000);
    if (onModelArk) {
      // The cancel's own read (is the task still queued?), and a DELETE if it was: no check.
      expect(statusRequests(h.sim, taskId).map((r) => r.status)).toEqual([429, 200]);
      expect(deleteRequests(h.sim, taskId).length).toBeLessThanOrEqual(1);
      expect(scheduledActivities(await handle.fetchHistory())).toEqual(['checkStatus', 'cancelRemoteTask']);
    } else {
      expect(statusRequests(h.sim, taskId).map((r) => r.status)).toEqual([429]);
    }
  });

  // Last in the file: the abandoned attempts end with "activity not found" on completion, after
  // which the Java test server no longer skips time for env.sleep().
  it('ends at once on the cancel signal and on a workflow cancel while the status request hangs; no status request after', async () => {
    const a = ids('hang-signal');
    const b = ids('hang-cancel');
    for (const { taskId } of [a, b]) {
      await addTask(h.sim, { id: taskId, resolution: '1080p', timing: { queuedMs: 60_000, renderMs: 3_600_000 } });
    }
    h.sim.inject({ target: 'status', kind: 'hang', times: 2 });
    const handleA = await startAwait(h.client, h.taskQueue, { taskId: a.taskId });
    const handleB = await startAwait(h.client, h.taskQueue, { taskId: b.taskId });
    // Both checks are in flight: the simulator holds their requests open.
    await until(() => statusRequests(h.sim, a.taskId).length === 1 && statusRequests(h.sim, b.taskId).length === 1);
    expect((await handleA.query<SeedanceVideoStatus>('status')).phase).toBe('checking');

    const cancelledAt = Date.now();
    await handleA.signal('cancel', { reason: 'check hung' });
    await handleB.cancel();
    const failure = await workflowFailure(handleA.result());
    const errorB = await handleB.result().catch((e: unknown) => e);
    // The hung GET would hold a waiting cancellation for the client's 5 s timeout; well under it
    // (with room for a loaded CI machine) means nothing waited for the GET.
    expect(Date.now() - cancelledAt).toBeLessThan(4_000);
    expect(failure.type).toBe('SeedanceWorkflowCancelled');
    expect(failure.message).toContain('check hung');
    expect((errorB as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handleB.describe()).status.name).toBe('CANCELLED');
    expect((await handleA.query<SeedanceVideoStatus>('status')).phase).toBe('cancelled');

    // The history records the cancel request of the in-flight activity, and no later schedule
    // (ModelArk: but the remote cancel of the queued task, one status read and one DELETE).
    for (const handle of [handleA, handleB]) {
      const hist = await handle.fetchHistory();
      expect(countEvents(hist, 'activityTaskScheduledEventAttributes')).toBe(onModelArk ? 2 : 1);
      if (onModelArk) expect(scheduledActivities(hist)).toEqual(['checkStatus', 'cancelRemoteTask']);
      expect(countEvents(hist, 'activityTaskCancelRequestedEventAttributes')).toBe(1);
    }
    // Past the client's 5 s timeout the abandoned attempts fail; the server does not retry them for
    // closed workflows, so neither workflow sends another status request.
    await new Promise((r) => setTimeout(r, 6_500));
    const reads = onModelArk ? 2 : 1;
    expect(statusRequests(h.sim, a.taskId)).toHaveLength(reads);
    expect(statusRequests(h.sim, b.taskId)).toHaveLength(reads);
    if (onModelArk) {
      expect(deleteRequests(h.sim, a.taskId).map((r) => r.status)).toEqual([200]);
      expect(deleteRequests(h.sim, b.taskId).map((r) => r.status)).toEqual([200]);
    }
  });
});
