/**
 * The workflows on Temporal's time-skipping test server, against the simulator running on the
 * server's clock: minutes of polling pass in seconds, and the schedule is read back from the
 * history's timer events and the simulator's request log.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeedanceVideoResult, SeedanceVideoStatus } from '../../src/contract/types';
import { workflowFailure } from '../helpers/assertions';
import { startHarness, SIM_KEY, type Harness } from '../helpers/harness';
import { scheduledActivities, timerDurations } from '../helpers/history';
import { gaps, statusRequests } from '../helpers/requests';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { ids, startAwait, startGenerate, uniqueId, type AwaitTestInput } from '../helpers/workflows';

let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  h = await startHarness({ env, replayEveryTask: true });
});

afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

/** When the status endpoint saw this task's checks (simulated time). */
function statusRequestTimes(taskId: string): number[] {
  return statusRequests(h.sim, taskId).map((r) => r.at);
}

describe('awaitSeedanceVideo on the time-skipping server', () => {
  it('follows a 1080p task of 8 simulated minutes to a verified MP4, in seconds of real time', async () => {
    const { taskId, workflowId } = ids('1080p');
    await h.sim.addTask({
      id: taskId,
      model: 'seedance_1_5_pro_1080p',
      timing: { queuedMs: 60_000, renderMs: 420_000 },
      actualDuration: 5,
    });
    const started = Date.now();
    const handle = await startAwait(h.client, h.taskQueue, { taskId });
    const result: SeedanceVideoResult = await handle.result();
    expect(Date.now() - started).toBeLessThan(30_000);

    expect(result).toMatchObject({ taskId, model: 'seedance_1_5_pro_1080p', status: 'completed', actualDuration: 5 });
    expect(result.checks).toBeGreaterThanOrEqual(2);
    const file = fileURLToPath(result.video.uri);
    const bytes = await fs.readFile(file);
    expect(result.video.bytes).toBe(bytes.length);
    expect(result.video.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(result.video.sha256).toBe(h.sim.videoSha256);
    expect(await fs.readdir(h.outputDir)).toEqual(expect.arrayContaining([`${taskId}.mp4`]));
    expect(await fs.readdir(`${h.outputDir}/.seedance-partial`)).toEqual([]);

    // The checks as the status endpoint saw them (the adaptive schedule, nothing learned: the
    // documented 3-8 min): the first past the earliest estimated finish (3 min), then 10-120 s
    // apart, dense where completion is likely. The download needed no extra status call.
    const times = statusRequestTimes(taskId);
    expect(times.length).toBe(result.checks);
    const spacing = gaps(times);
    expect(spacing[0]).toBeGreaterThanOrEqual(170_000);
    for (const gap of spacing.slice(1)) {
      expect(gap).toBeGreaterThanOrEqual(10_000);
      expect(gap).toBeLessThanOrEqual(125_000);
    }
    // The wait: one timer to the first check after the read at once, then one pollStatus activity
    // whose attempts are the checks.
    expect(await timerDurations(h.client, workflowId)).toHaveLength(1);
    const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
    expect(scheduledActivities(history)).toEqual(['checkStatus', 'pollStatus', 'downloadVideo']);
  });

  it('checks a 480p task 10-40 s apart, never under 10 s, the first past its earliest estimate', async () => {
    const { taskId, workflowId } = ids('480p');
    await h.sim.addTask({
      id: taskId,
      model: 'seedance_1_5_pro_480p',
      timing: { queuedMs: 20_000, renderMs: 100_000 },
    });
    const result = await (await startAwait(h.client, h.taskQueue, { taskId })).result();
    expect(result.status).toBe('completed');
    // The first read (at once) learned the task; the next lands one interval into 30-120 s.
    const spacing = gaps(statusRequestTimes(taskId));
    expect(spacing[0]).toBeGreaterThanOrEqual(30_000);
    expect(spacing[0]).toBeLessThanOrEqual(30_000 + 41_000);
    for (const gap of spacing.slice(1)) {
      expect(gap).toBeGreaterThanOrEqual(10_000);
      expect(gap).toBeLessThanOrEqual(41_000);
    }
    expect(await timerDurations(h.client, workflowId)).toHaveLength(1);
  });

  it('fails with SeedanceTaskFailed carrying the API error when the task fails remotely', async () => {
    const { taskId } = ids('failed');
    await h.sim.addTask({
      id: taskId,
      model: 'seedance_1_5_pro_720p',
      outcome: 'failed',
      error: 'content policy violation',
      timing: { queuedMs: 10_000, renderMs: 150_000 },
    });
    const failure = await workflowFailure((await startAwait(h.client, h.taskQueue, { taskId })).result());
    expect(failure.type).toBe('SeedanceTaskFailed');
    expect(failure.message).toContain('content policy violation');
    expect(failure.nonRetryable).toBe(true);
  });

  it('fails with SeedanceTaskCancelled when the task is cancelled remotely', async () => {
    const { taskId } = ids('remote-cancel');
    await h.sim.addTask({
      id: taskId,
      model: 'seedance_1_5_pro_720p',
      outcome: 'cancelled',
      timing: { queuedMs: 10_000, renderMs: 150_000 },
    });
    const failure = await workflowFailure((await startAwait(h.client, h.taskQueue, { taskId })).result());
    expect(failure.type).toBe('SeedanceTaskCancelled');
  });

  it('fails at once with SeedanceTaskNotFound for an unknown task, without waiting', async () => {
    const { taskId, workflowId } = ids('unknown');
    const failure = await workflowFailure((await startAwait(h.client, h.taskQueue, { taskId })).result());
    expect(failure.type).toBe('SeedanceTaskNotFound');
    expect(await timerDurations(h.client, workflowId)).toEqual([]);
    expect(statusRequestTimes(taskId)).toHaveLength(1);
    expect(failure.message).not.toContain(SIM_KEY);
  });

  it('gives up with SeedanceTaskTimedOut at the deadline', async () => {
    const { taskId } = ids('deadline');
    await h.sim.addTask({
      id: taskId,
      model: 'seedance_1_5_pro_720p',
      timing: { queuedMs: 60_000, renderMs: 3 * 3_600_000 },
    });
    const failure = await workflowFailure(
      (await startAwait(h.client, h.taskQueue, { taskId, deadline: '20m' })).result(),
    );
    expect(failure.type).toBe('SeedanceTaskTimedOut');
    const times = statusRequestTimes(taskId);
    // The deadline counts from the task's `created` (whole seconds), the last check runs right at it.
    expect(times.at(-1)! - times[0]!).toBeLessThanOrEqual(20 * 60_000 + 5_000);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(19 * 60_000);
  });

  it('refuses bad input with SeedanceInvalidInput before any request', async () => {
    const before = h.sim.requests.length;
    const inputs: AwaitTestInput[] = [
      { taskId: '../etc/passwd' },
      { taskId: 'video_ok', fileName: '../escape.mp4' },
      { taskId: 'video_ok', deadline: 'soon' },
    ];
    for (const input of inputs) {
      const handle = await startAwait(h.client, h.taskQueue, input, { workflowId: uniqueId('bad') });
      const failure = await workflowFailure(handle.result());
      expect(failure.type).toBe('SeedanceInvalidInput');
    }
    expect(h.sim.requests.length).toBe(before);
  });

  it('answers the status query while waiting, and checkNow checks at once', async () => {
    const { taskId } = ids('query');
    await h.sim.addTask({
      id: taskId,
      model: 'seedance_1_5_pro_720p',
      timing: { queuedMs: 60_000, renderMs: 3_600_000 },
    });
    const handle = await startAwait(h.client, h.taskQueue, { taskId });
    let status: SeedanceVideoStatus;
    do {
      status = await handle.query<SeedanceVideoStatus>('status');
    } while (status.phase !== 'waiting');
    expect(status).toMatchObject({
      phase: 'waiting',
      taskId,
      model: 'seedance_1_5_pro_720p',
      remoteStatus: 'queued',
      checks: 1,
    });
    expect(Date.parse(status.nextCheckAt!)).toBeGreaterThan(Date.parse(status.lastCheckedAt!));

    await handle.signal('checkNow');
    let after: SeedanceVideoStatus;
    do {
      after = await handle.query<SeedanceVideoStatus>('status');
    } while (after.checks < 2);
    expect(after.checks).toBe(2);

    await handle.signal('cancel', { reason: 'test over' });
    const failure = await workflowFailure(handle.result());
    expect(failure.type).toBe('SeedanceWorkflowCancelled');
  });

  it('stops at once on the cancel signal: no status request after it, no file', async () => {
    const { taskId } = ids('cancel');
    await h.sim.addTask({
      id: taskId,
      model: 'seedance_1_5_pro_1080p',
      timing: { queuedMs: 60_000, renderMs: 3_600_000 },
    });
    const handle = await startAwait(h.client, h.taskQueue, { taskId });
    while ((await handle.query<SeedanceVideoStatus>('status')).phase !== 'waiting');
    const requestsBefore = statusRequestTimes(taskId).length;
    await handle.signal('cancel', { reason: 'operator changed their mind' });
    const failure = await workflowFailure(handle.result());
    expect(failure.type).toBe('SeedanceWorkflowCancelled');
    expect(failure.message).toContain('operator changed their mind');
    expect(statusRequestTimes(taskId).length).toBe(requestsBefore);
    expect(await fs.readdir(h.outputDir)).not.toContain(`${taskId}.mp4`);
    expect((await handle.query<SeedanceVideoStatus>('status')).phase).toBe('cancelled');
  });

  it('ends as Canceled on a workflow cancel request', async () => {
    const { taskId } = ids('wf-cancel');
    await h.sim.addTask({
      id: taskId,
      model: 'seedance_1_5_pro_720p',
      timing: { queuedMs: 60_000, renderMs: 3_600_000 },
    });
    const handle = await startAwait(h.client, h.taskQueue, { taskId });
    while ((await handle.query<SeedanceVideoStatus>('status')).phase !== 'waiting');
    await handle.cancel();
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
  });
});

describe('generateSeedanceVideo on the time-skipping server', () => {
  it('creates exactly one task and stores its video', async () => {
    const createsBefore = h.sim.createCount();
    const handle = await startGenerate(h.client, h.taskQueue, {
      request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: 'a red fox in fresh snow' }] },
      fileName: 'fox.mp4',
    });
    const result = await handle.result();
    expect(h.sim.createCount()).toBe(createsBefore + 1);
    expect(result.status).toBe('completed');
    expect(result.taskId).toMatch(/^video_/);
    expect(result.video.uri.endsWith('/fox.mp4')).toBe(true);
    expect(result.video.sha256).toBe(h.sim.videoSha256);
  });

  it('retries a 429 on create after Retry-After and still creates one task', async () => {
    const createsBefore = h.sim.createCount();
    h.sim.inject({ target: 'create', kind: 'rateLimit', retryAfterSeconds: 7 });
    const handle = await startGenerate(h.client, h.taskQueue, {
      request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: 'waves' }] },
    });
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(h.sim.createCount()).toBe(createsBefore + 1);
    const posts = h.sim.requests.filter((r) => r.kind === 'create').slice(-2);
    expect(posts[0]!.status).toBe(429);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(7_000);
  });

  it('fails with SeedanceCreateOutcomeUnknown, and does not post again, when the create response is lost', async () => {
    const createsBefore = h.sim.createCount();
    h.sim.inject({ target: 'create', kind: 'dropResponse' });
    const handle = await startGenerate(h.client, h.taskQueue, {
      request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: 'lost' }] },
    });
    const failure = await workflowFailure(handle.result());
    expect(failure.type).toBe('SeedanceCreateOutcomeUnknown');
    expect(h.sim.createCount()).toBe(createsBefore + 1);
  });

  it('refuses an invalid request before any POST', async () => {
    const createsBefore = h.sim.requests.filter((r) => r.kind === 'create').length;
    const handle = await startGenerate(h.client, h.taskQueue, {
      request: { model: 'seedance_1_5_pro_480p', content: [], duration: 99 },
    });
    const failure = await workflowFailure(handle.result());
    expect(failure.type).toBe('SeedanceInvalidInput');
    expect(failure.message).toMatch(/content/);
    expect(h.sim.requests.filter((r) => r.kind === 'create').length).toBe(createsBefore);
  });
});
