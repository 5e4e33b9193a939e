/**
 * Continue-as-new, which keeps a long wait under the history limit, on the time-skipping server. A
 * long flex-tier render would need thousands of history events; here the internal
 * `historyEventsBeforeContinue` input lowers the threshold to 40 events (about three check cycles),
 * so hours of polling become several runs in a few seconds. Every run's continue-as-new input is
 * read back from its history and compared with what the simulator saw.
 *
 * On either provider (test/helpers/provider.ts): a ModelArk task reports one model id and its
 * resolution apart, so the model a result and the carried state name is the provider's.
 */
import { startProviderDevHarness, type DevHarness } from '../helpers/dev-harness';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeedanceStatusKey } from '../../src/contract/definitions';
import type { SeedanceVideoStatus } from '../../src/contract/types';
import type { CarriedState } from '../../src/workflows/carried-state';
import type { AnySimulator } from '../../src/simulator';
import { startProviderHarness, type ProviderHarness } from '../helpers/harness';
import { countEvents, runsOf, scheduledActivities, statusChecksIn, type History, type Run } from '../helpers/history';
import { addTask, onModelArk, reportedModel } from '../helpers/provider';
import { gaps, statusRequests } from '../helpers/requests';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { until } from '../helpers/wait';
import { ids, startAwait, startGenerate } from '../helpers/workflows';

const THRESHOLD = 40;
const MINUTE = 60_000;

let env: TestWorkflowEnvironment;
let h: ProviderHarness;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  // Generated 480p tasks render for 3 + 30 simulated minutes on the flex tier (x3).
  h = await startProviderHarness({
    env,
    replayEveryTask: true,
    simulator: { profile: { seedance_1_5_pro_480p: { queuedMs: MINUTE, renderMs: 10 * MINUTE } } },
  });
});

afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

/** The state a run handed to the next: the `resume` field of its continue-as-new input. */
function carriedBy(history: History): CarriedState {
  const payload = history.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes!.input!.payloads![0]!;
  return (JSON.parse(Buffer.from(payload.data!).toString('utf8')) as { resume: CarriedState }).resume;
}

function checksIn(run: Run): number {
  return statusChecksIn(run.history);
}

/**
 * What every run carried must add up to what happened before it. `createdBy: 'workflow'`: a
 * ModelArk create, which the API answers with the id alone, is dated by the workflow's clock when the
 * create returned, not by the API's `created` in whole seconds.
 */
function expectCarriedStateAddsUp(runs: Run[], taskId: string, model: string, createdBy: 'api' | 'workflow' = 'api') {
  const task = h.sim.getTask(taskId)!;
  const createdMs = Math.floor(task.createdMs / 1000) * 1000;
  const requests = statusRequests(h.sim, taskId);
  let checksSoFar = 0;
  for (const run of runs.slice(0, -1)) {
    checksSoFar += checksIn(run);
    const carried = carriedBy(run.history);
    if (createdBy === 'workflow') {
      expect(carried).toMatchObject({ taskId, model, checks: checksSoFar, searchAttributes: false });
      expect(Math.abs(carried.createdMs - task.createdMs)).toBeLessThan(2_000);
    } else {
      expect(carried).toMatchObject({ taskId, model, createdMs, checks: checksSoFar, searchAttributes: false });
    }
    expect(carried.remoteStatus).toMatch(/^(queued|processing)$/);
    expect(carried.deadlineAtMs).toBe(carriedBy(runs[0]!.history).deadlineAtMs);
    // lastCheckedAt is when the last check of the run returned: just after its request arrived.
    const lastRequest = requests[checksSoFar - 1]!;
    expect(carried.lastCheckedAtMs! - lastRequest.at).toBeGreaterThanOrEqual(0);
    expect(carried.lastCheckedAtMs! - lastRequest.at).toBeLessThan(2_000);
  }
}

describe('continue-as-new carries the whole state', () => {
  it('a flex task rendering for 35 min continues as new several times, answers status in the second run, and completes with every check counted', async () => {
    const { taskId, workflowId } = ids('flex');
    const model = reportedModel(h.sim, '720p');
    await addTask(h.sim, {
      id: taskId,
      resolution: '720p',
      serviceTier: 'flex',
      timing: { queuedMs: 5 * MINUTE, renderMs: 30 * MINUTE },
    });
    const handle = await startAwait(h.client, h.taskQueue, {
      taskId,
      serviceTier: 'flex',
      historyEventsBeforeContinue: THRESHOLD,
      readsPerPoll: 1,
    });
    const firstRunId = handle.firstExecutionRunId;

    // Skip time in small steps until the second run is there; it waits on its first timer.
    let latestRunId = firstRunId;
    for (let step = 0; latestRunId === firstRunId; step++) {
      expect(step).toBeLessThan(100);
      await env.sleep('20s');
      latestRunId = (await handle.describe()).runId;
    }
    const [firstRun] = await runsOf(h.client, workflowId, firstRunId);
    const carried = carriedBy(firstRun!.history);
    const status = await until(async () => {
      const s = await handle.query<SeedanceVideoStatus>('status').catch(() => undefined);
      return s?.phase === 'waiting' ? s : undefined;
    });
    expect(status).toMatchObject({
      phase: 'waiting',
      taskId,
      model,
      remoteStatus: carried.remoteStatus,
      checks: carried.checks,
      lastCheckedAt: new Date(carried.lastCheckedAtMs!).toISOString(),
    });
    expect(carried.checks).toBeGreaterThanOrEqual(2);

    const result = await handle.result();
    const requests = statusRequests(h.sim, taskId);
    expect(result).toMatchObject({ taskId, model, status: 'completed' });
    expect(result.video.sha256).toBe(h.sim.videoSha256);
    // Every status request was one check, and the total survived every run.
    expect(requests.every((r) => r.status === 200)).toBe(true);
    expect(result.checks).toBe(requests.length);

    const runs = await runsOf(h.client, workflowId, firstRunId);
    expect(runs.length).toBeGreaterThanOrEqual(4);
    expect(runs.reduce((sum, run) => sum + checksIn(run), 0)).toBe(result.checks);
    // A run goes on past the threshold only to finish its cycle (the final run also downloads).
    for (const run of runs.slice(0, -1)) expect(run.history.events!.length).toBeLessThanOrEqual(THRESHOLD + 15);
    expectCarriedStateAddsUp(runs, taskId, model);
    // The search-attribute question is asked once, by the first run; later runs carry the answer.
    expect(runs.map((run) => localActivityMarkers(run.history))).toEqual([1, ...runs.slice(1).map(() => 0)]);
    expect(scheduledActivities(runs.at(-1)!.history)).toContain('downloadVideo');

    // The flex plan (3-60 min, checks 10-240 s apart) held across every boundary: no run restarted
    // the 3-minute "too early to check" wait, which a lost `created` time would have done.
    const spacing = gaps(requests.map((r) => r.at));
    // The first wait ends one interval past created + 3 min; `created` is whole seconds and the
    // first check runs a moment after creation (more under load), so allow a few seconds.
    expect(spacing[0]).toBeGreaterThanOrEqual(3 * MINUTE - 5_000);
    expect(spacing[0]).toBeLessThanOrEqual(3 * MINUTE + 245_000);
    for (const gap of spacing.slice(1)) {
      expect(gap).toBeGreaterThanOrEqual(10_000);
      expect(gap).toBeLessThanOrEqual(245_000);
    }
    // Inside the distribution the plan only gets denser (the hazard of a uniform range grows):
    // a restarted wait would show as a gap longer than the one before it.
    for (let i = 2; i < spacing.length; i++) expect(spacing[i]!).toBeLessThanOrEqual(spacing[i - 1]! * 1.1 + 2_000);
  });

  it('the deadline survives continue-as-new: a task still rendering times out at created + 40 min', async () => {
    const { taskId, workflowId } = ids('deadline');
    await addTask(h.sim, {
      id: taskId,
      resolution: '1080p',
      serviceTier: 'flex',
      timing: { queuedMs: MINUTE, renderMs: 5 * 60 * MINUTE },
    });
    const handle = await startAwait(h.client, h.taskQueue, {
      taskId,
      serviceTier: 'flex',
      deadline: '40m',
      historyEventsBeforeContinue: THRESHOLD,
      readsPerPoll: 1,
    });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe('SeedanceTaskTimedOut');
    const runs = await runsOf(h.client, workflowId, handle.firstExecutionRunId);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const createdMs = Math.floor(h.sim.getTask(taskId)!.createdMs / 1000) * 1000;
    const requests = statusRequests(h.sim, taskId);
    expect(requests.at(-1)!.at - createdMs).toBeLessThanOrEqual(40 * MINUTE + 2_000);
    expect(requests.at(-1)!.at - createdMs).toBeGreaterThanOrEqual(40 * MINUTE - 1_000);
    expectCarriedStateAddsUp(runs, taskId, reportedModel(h.sim, '1080p'));
  });

  it('a cancel signal in a later run stops it at once, with no status request after', async () => {
    const { taskId, workflowId } = ids('cancel-late');
    await addTask(h.sim, {
      id: taskId,
      resolution: '720p',
      serviceTier: 'flex',
      timing: { queuedMs: MINUTE, renderMs: 5 * 60 * MINUTE },
    });
    const handle = await startAwait(h.client, h.taskQueue, {
      taskId,
      serviceTier: 'flex',
      historyEventsBeforeContinue: THRESHOLD,
      readsPerPoll: 1,
    });
    let runs: Run[] = [];
    for (let step = 0; runs.length < 3; step++) {
      expect(step).toBeLessThan(200);
      await env.sleep('30s');
      runs = await runsOf(h.client, workflowId, handle.firstExecutionRunId);
    }
    await until(
      async () => (await handle.query<SeedanceVideoStatus>('status').catch(() => undefined))?.phase === 'waiting',
    );
    const requestsBefore = statusRequests(h.sim, taskId).length;
    await handle.signal('cancel', { reason: 'stop after continue-as-new' });
    const error = await handle.result().catch((e: unknown) => e);
    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure.type).toBe('SeedanceWorkflowCancelled');
    expect(failure.message).toContain('stop after continue-as-new');
    await env.sleep('10m');
    expect(statusRequests(h.sim, taskId)).toHaveLength(requestsBefore);
    expect((await runsOf(h.client, workflowId, handle.firstExecutionRunId)).length).toBe(runs.length);
  });
});

describe('generateSeedanceVideo across continue-as-new', () => {
  it('creates the task once, follows it through several runs and stores its video', async () => {
    const createsBefore = h.sim.createCount();
    const handle = await startGenerate(h.client, h.taskQueue, {
      request: {
        model: 'seedance_1_5_pro_480p',
        service_tier: 'flex',
        content: [{ type: 'text', text: 'a slow tide at night' }],
      },
      fileName: 'tide.mp4',
      historyEventsBeforeContinue: THRESHOLD,
      readsPerPoll: 1,
    });
    const result = await handle.result();
    expect(h.sim.createCount()).toBe(createsBefore + 1);
    expect(result).toMatchObject({ model: reportedModel(h.sim, '480p'), status: 'completed' });
    expect(result.video.uri.endsWith('/tide.mp4')).toBe(true);
    expect(result.video.sha256).toBe(h.sim.videoSha256);

    const runs = await runsOf(h.client, handle.workflowId, handle.firstExecutionRunId);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs.map((run) => scheduledActivities(run.history).filter((a) => a === 'createVideoTask').length)).toEqual([
      1,
      ...runs.slice(1).map(() => 0),
    ]);
    const requests = statusRequests(h.sim, result.taskId);
    expect(result.checks).toBe(requests.length);
    expect(runs.reduce((sum, run) => sum + checksIn(run), 0)).toBe(result.checks);
    expectCarriedStateAddsUp(runs, result.taskId, reportedModel(h.sim, '480p'), onModelArk ? 'workflow' : 'api');
  });
});

describe('continue-as-new on a real server with the search attributes registered (dev server)', () => {
  let dev: DevHarness<AnySimulator>;

  beforeAll(async () => {
    dev = await startProviderDevHarness();
  });

  afterAll(async () => {
    await dev?.close();
  });

  /** Real time: `checkNow` whenever the workflow waits, so checks come every few hundred ms. */
  async function driveWithCheckNow(handle: WorkflowHandle): Promise<void> {
    for (let i = 0; i < 300; i++) {
      if ((await handle.describe()).status.name !== 'RUNNING') return;
      const status = await handle.query<SeedanceVideoStatus>('status').catch(() => undefined);
      if (status?.phase === 'waiting') await handle.signal('checkNow').catch(() => undefined);
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('the workflow did not finish');
  }

  it('later runs keep upserting SeedanceStatus: the search-attribute answer is carried, not asked again', async () => {
    const task = await addTask(dev.sim, { resolution: '480p', timing: { queuedMs: 0, renderMs: 6_000 } });
    const handle = await startAwait(dev.client, dev.taskQueue, {
      taskId: task.id,
      historyEventsBeforeContinue: THRESHOLD,
      readsPerPoll: 1,
    });
    await driveWithCheckNow(handle);
    const result = await handle.result();
    expect(result.video.sha256).toBe(dev.sim.videoSha256);

    const runs = await runsOf(dev.client, handle.workflowId, handle.firstExecutionRunId);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.slice(0, -1).every((run) => carriedBy(run.history).searchAttributes === true)).toBe(true);
    expect(runs.map((run) => localActivityMarkers(run.history))).toEqual([1, ...runs.slice(1).map(() => 0)]);
    expect(countEvents(runs.at(-1)!.history, 'upsertWorkflowSearchAttributesEventAttributes')).toBeGreaterThanOrEqual(
      2,
    );
    expect((await handle.describe()).typedSearchAttributes.get(SeedanceStatusKey)).toBe('completed');
    expect(result.checks).toBe(statusRequests(dev.sim, task.id).length);
  });
});

/** The local-activity markers of a run (a `patched()` marker is not a question to the worker). */
function localActivityMarkers(history: {
  events?: { markerRecordedEventAttributes?: { markerName?: string | null } | null }[] | null;
}): number {
  return (history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
    .length;
}
