/**
 * `npm run capture-histories [-- <label>]`: runs the workflows' main paths against the simulator
 * and writes each run's history to `test/replay/histories/<label>-<path>.json`, the fixtures that
 * `test/replay/replay.test.ts` replays against the current workflow code.
 *
 * When to run it: after an intentional change to the commands a workflow issues (an activity or
 * timer added, removed or moved), made behind `patched()` so that runs already in flight still
 * replay. First check that the existing fixtures still replay (`npx vitest run test/replay`), then
 * capture with a new label (default `v<package version>`) and commit the new files NEXT TO the old
 * ones: the old histories are the runs still in flight when you deploy, and must keep replaying.
 * Timer durations, log lines and query answers may change without new fixtures.
 *
 * Paths with timers run on the time-skipping server (no search attributes there); the search
 * attribute upserts are captured on a dev server that has them registered. With `CAPTURE_API_RPS`
 * set, the workers have that API budget, so the API calls go to the `-api` queue; capture both.
 *
 * The batch paths (`batch-*`, `generateSeedanceVideos` and its children on the time-skipping
 * server) are captured with the reseller's. `CAPTURE_ONLY=<regex>` captures only the paths it
 * matches: `CAPTURE_ONLY=^batch- npm run capture-histories -- v0.4.0` added the first batch fixtures.
 *
 * `CAPTURE_PROVIDER=modelark npm run capture-histories [-- <label>]` captures the ModelArk paths
 * (remote cancel of a queued task, expiry, `checkNow` hints, callbacks) with the ModelArk test stack
 * on the time-skipping server. Their paths share names with the reseller's, so their label ends in
 * `_modelark` (default `v<package version>_modelark`); the replay test tells the providers apart by
 * the provider each history recorded. A label never contains `-`: the replay test reads the path
 * from the file name after the first `-`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  Client,
  Connection,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createTemporalSignaler, startCallbackReceiver } from '../src/callbacks';
import { batchStatusQuery } from '../src/contract/definitions';
import { AWAIT_WORKFLOW_TYPE, GENERATE_BATCH_WORKFLOW_TYPE, GENERATE_WORKFLOW_TYPE } from '../src/contract/names';
import type {
  AwaitSeedanceVideoInput,
  BatchItem,
  CheckNowInput,
  GenerateSeedanceVideoInput,
  GenerateSeedanceVideosInput,
  SeedanceVideoStatus,
} from '../src/contract/types';
import type { AnySimulator, ModelArkSimulator, RequestKind, Simulator } from '../src/simulator';
import {
  findTestServer,
  historyToJson,
  runsOf,
  startDevServer,
  startModelArkTestStack,
  startSeedanceTestStack,
  toExecutable,
  type SeedanceTestStack,
} from '../src/testing';
import type { TestOnlyInput } from '../src/testing/test-only-input';

// Workers log every state change at INFO; the capture prints what it wrote, and what went wrong.
Runtime.install({ logger: new DefaultLogger('ERROR') });

const OUT_DIR = path.resolve(__dirname, '../test/replay/histories');
const MINUTE = 60_000;
/** `CAPTURE_ONLY=<regex>`: capture only the paths it matches (new paths next to fixtures already captured). */
const ONLY = process.env.CAPTURE_ONLY ? new RegExp(process.env.CAPTURE_ONLY) : undefined;
const API_BUDGET = process.env.CAPTURE_API_RPS ? { apiRequestsPerSecond: Number(process.env.CAPTURE_API_RPS) } : {};
const PROVIDERS = ['reseller', 'modelark'] as const;
type ProviderName = (typeof PROVIDERS)[number];
/** ModelArk labels end with this, so their files never overwrite the reseller's of the same version. */
const MODELARK_LABEL_SUFFIX = '_modelark';

type Harness<Sim extends AnySimulator = Simulator> = SeedanceTestStack<Sim>;
type Handle = WorkflowHandleWithFirstExecutionRunId;
type Capture<Sim extends AnySimulator = Simulator> = (
  h: Harness<Sim>,
  env?: TestWorkflowEnvironment,
) => Promise<Handle>;
type Starter = Pick<Harness<AnySimulator>, 'client' | 'taskQueue'>;

/** Starts `awaitSeedanceVideo` under a fixed workflow id, so a new capture reads like the last one. */
function startAwait(h: Starter, workflowId: string, input: AwaitSeedanceVideoInput & TestOnlyInput): Promise<Handle> {
  return h.client.workflow.start(AWAIT_WORKFLOW_TYPE, { taskQueue: h.taskQueue, workflowId, args: [input] });
}

/** Starts `generateSeedanceVideo` under a fixed workflow id. */
function startGenerate(
  h: Starter,
  workflowId: string,
  input: GenerateSeedanceVideoInput & TestOnlyInput,
): Promise<Handle> {
  return h.client.workflow.start(GENERATE_WORKFLOW_TYPE, { taskQueue: h.taskQueue, workflowId, args: [input] });
}

/** Starts `generateSeedanceVideos` under a fixed workflow id. */
function startBatch(
  h: Starter,
  workflowId: string,
  input: GenerateSeedanceVideosInput & TestOnlyInput,
): Promise<Handle> {
  return h.client.workflow.start(GENERATE_BATCH_WORKFLOW_TYPE, { taskQueue: h.taskQueue, workflowId, args: [input] });
}

/** Batch items of 480p prompts `<tag> clip <n>`; `word` marks them for the simulator (see {@link BATCH_FAIL_WORD}). */
function batchItems(tag: string, count: number, word = ''): BatchItem[] {
  return Array.from({ length: count }, (_, i) => ({
    request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: `${tag} clip ${i} ${word}`.trim() }] },
  }));
}

/** Polls the `status` query until `done`, in real time: the test server skips no time meanwhile. */
async function waitForStatus(
  handle: WorkflowHandle,
  what: string,
  done: (status: SeedanceVideoStatus) => boolean,
): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const status = await handle.query<SeedanceVideoStatus>('status').catch(() => undefined);
    if (status && done(status)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${handle.workflowId} never reached ${what}`);
}

function waitForPhase(handle: WorkflowHandle, phase: string): Promise<void> {
  return waitForStatus(handle, `phase ${phase}`, (s) => s.phase === phase);
}

/** Waiting again after its `checks`-th status read. */
function waitForWaitAfterCheck(handle: WorkflowHandle, checks: number): Promise<void> {
  return waitForStatus(handle, `waiting after check ${checks}`, (s) => s.phase === 'waiting' && s.checks === checks);
}

async function settle(handle: Handle): Promise<Handle> {
  await handle.result().catch(() => undefined);
  return handle;
}

/** The simulator's requests of one kind for one task. */
function requestsFor(sim: AnySimulator, kind: RequestKind, taskId: string) {
  return sim.requests.filter((r) => r.kind === kind && r.taskId === taskId);
}

/** A capture that did not take the path its name promises must not be written as that path's fixture. */
function expectPath(condition: boolean, message: string): void {
  if (!condition) throw new Error(`capture took another path: ${message}`);
}

/** On the time-skipping server: timers of simulated minutes pass in milliseconds. */
const timeSkipping: Record<string, Capture> = {
  async 'await-completed-720p'(h) {
    await h.sim.addTask({
      id: 'video_replay_completed',
      model: 'seedance_1_5_pro_720p',
      timing: { queuedMs: MINUTE, renderMs: 150_000 },
    });
    return settle(await startAwait(h, 'seedance-video_replay_completed', { taskId: 'video_replay_completed' }));
  },
  async 'await-remote-failed'(h) {
    await h.sim.addTask({
      id: 'video_replay_failed',
      model: 'seedance_1_5_pro_720p',
      outcome: 'failed',
      error: 'content policy violation',
      timing: { queuedMs: 10_000, renderMs: 150_000 },
    });
    return settle(await startAwait(h, 'seedance-video_replay_failed', { taskId: 'video_replay_failed' }));
  },
  async 'await-not-found'(h) {
    return settle(await startAwait(h, 'seedance-video_replay_missing', { taskId: 'video_replay_missing' }));
  },
  async 'await-timed-out'(h) {
    await h.sim.addTask({
      id: 'video_replay_deadline',
      model: 'seedance_1_5_pro_720p',
      timing: { queuedMs: MINUTE, renderMs: 3 * 60 * MINUTE },
    });
    return settle(
      await startAwait(h, 'seedance-video_replay_deadline', { taskId: 'video_replay_deadline', deadline: '8m' }),
    );
  },
  async 'await-cancel-signal'(h) {
    await h.sim.addTask({
      id: 'video_replay_cancel',
      model: 'seedance_1_5_pro_1080p',
      timing: { queuedMs: MINUTE, renderMs: 60 * MINUTE },
    });
    const handle = await startAwait(h, 'seedance-video_replay_cancel', { taskId: 'video_replay_cancel' });
    await waitForPhase(handle, 'waiting');
    await handle.signal('cancel', { reason: 'not needed any more' });
    return settle(handle);
  },
  async 'await-workflow-cancel'(h) {
    await h.sim.addTask({
      id: 'video_replay_wfcancel',
      model: 'seedance_1_5_pro_720p',
      timing: { queuedMs: MINUTE, renderMs: 60 * MINUTE },
    });
    const handle = await startAwait(h, 'seedance-video_replay_wfcancel', { taskId: 'video_replay_wfcancel' });
    await waitForPhase(handle, 'waiting');
    await handle.cancel();
    return settle(handle);
  },
  async 'await-check-now'(h, env) {
    await h.sim.addTask({
      id: 'video_replay_checknow',
      model: 'seedance_1_5_pro_720p',
      timing: { queuedMs: 0, renderMs: 30_000 },
    });
    const handle = await startAwait(h, 'seedance-video_replay_checknow', { taskId: 'video_replay_checknow' });
    await waitForPhase(handle, 'waiting');
    await env!.sleep('40s'); // the task completes; the 2-minute timer is still running
    await handle.signal('checkNow');
    return settle(handle);
  },
  async 'await-rate-limited-and-flaky'(h) {
    await h.sim.addTask({
      id: 'video_replay_flaky',
      model: 'seedance_1_5_pro_480p',
      timing: { queuedMs: 10_000, renderMs: 40_000 },
    });
    h.sim.inject({ target: 'status', kind: 'rateLimit', retryAfterSeconds: 7 });
    h.sim.inject({ target: 'status', kind: 'status', code: 503, times: 2 });
    h.sim.inject({ kind: 'reset', afterBytes: 20_000 });
    return settle(await startAwait(h, 'seedance-video_replay_flaky', { taskId: 'video_replay_flaky' }));
  },
  async 'generate-create-rate-limited'(h) {
    h.sim.inject({ target: 'create', kind: 'rateLimit', retryAfterSeconds: 7 });
    h.sim.inject({ target: 'status', kind: 'rateLimit', retryAfterSeconds: 3 });
    return settle(
      await startGenerate(h, 'generate-replay-ratelimited', {
        request: {
          model: 'seedance_1_5_pro_480p',
          content: [{ type: 'text', text: 'a red fox in fresh snow' }],
          duration: 5,
        },
        fileName: 'fox.mp4',
      }),
    );
  },
  async 'generate-create-outcome-unknown'(h) {
    h.sim.inject({ target: 'create', kind: 'dropResponse' });
    return settle(
      await startGenerate(h, 'generate-replay-lost', {
        request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: 'lost' }] },
      }),
    );
  },
  async 'await-continue-as-new'(h) {
    await h.sim.addTask({
      id: 'video_replay_flex',
      model: 'seedance_1_5_pro_720p',
      serviceTier: 'flex',
      timing: { queuedMs: 5 * MINUTE, renderMs: 15 * MINUTE },
    });
    return settle(
      await startAwait(h, 'seedance-video_replay_flex', {
        taskId: 'video_replay_flex',
        serviceTier: 'flex',
        historyEventsBeforeContinue: 40,
        readsPerPoll: 1,
      }),
    );
  },
  async 'generate-continue-as-new'(h) {
    return settle(
      await startGenerate(h, 'generate-replay-flex', {
        request: {
          model: 'seedance_1_5_pro_1080p',
          service_tier: 'flex',
          content: [{ type: 'text', text: 'a slow tide at night' }],
        },
        historyEventsBeforeContinue: 40,
        readsPerPoll: 1,
      }),
    );
  },
};

/** A created task whose prompt holds this word ends `failed`; one with {@link BATCH_SLOW_WORD} renders for 2 hours. */
const BATCH_FAIL_WORD = 'FAILME';
const BATCH_SLOW_WORD = 'SLOWLY';

/** `generateSeedanceVideos` on the time-skipping server: its children run there too. */
const batches: Record<string, Capture> = {
  async 'batch-completed'(h) {
    const items = batchItems('a field of poppies', 4);
    items[1] = {
      request: { ...items[1]!.request, content: [{ type: 'text', text: `a doomed clip ${BATCH_FAIL_WORD}` }] },
    };
    items[2] = { ...items[2]!, fileName: 'poppies.mp4' };
    const handle = await startBatch(h, 'batch-replay-completed', { items, maxConcurrent: 2 });
    const result = await handle.result();
    expectPath(result.completed === 3 && result.failed === 1, `${result.completed} stored, ${result.failed} failed`);
    return handle;
  },
  async 'batch-continue-as-new'(h) {
    return settle(
      await startBatch(h, 'batch-replay-continue', {
        items: batchItems('waves on a pier', 6),
        maxConcurrent: 2,
        historyEventsBeforeContinue: 25,
      }),
    );
  },
  async 'batch-workflow-cancel'(h) {
    const handle = await startBatch(h, 'batch-replay-cancel', {
      items: batchItems('a slow sunrise', 3, BATCH_SLOW_WORD),
      maxConcurrent: 2,
    });
    await waitForBatchRunning(handle, 2);
    await handle.cancel();
    return settle(handle);
  },
  async 'batch-cancel-signal'(h) {
    const handle = await startBatch(h, 'batch-replay-cancel-signal', {
      items: batchItems('a slow sunset', 3, BATCH_SLOW_WORD),
      maxConcurrent: 2,
    });
    await waitForBatchRunning(handle, 2);
    await handle.signal('cancel', { reason: 'wrong prompts' });
    return settle(handle);
  },
};

/** Until `count` children run and each has created its task (its `status` has a task id). */
async function waitForBatchRunning(handle: Handle, count: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const status = await handle.query(batchStatusQuery).catch(() => undefined);
    const running = status?.items.filter((item) => item.phase === 'running') ?? [];
    if (running.length === count) {
      const children = await Promise.all(
        running.map((item) =>
          handle.client
            .getHandle(`${handle.workflowId}/item-${item.index}`)
            .query<SeedanceVideoStatus>('status')
            .catch(() => undefined),
        ),
      );
      if (children.every((child) => child?.phase === 'waiting' && child.taskId)) return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${handle.workflowId} never had ${count} children waiting`);
}

/** On a dev server with the Seedance search attributes registered: the upserts are in history. */
const devServer: Record<string, Capture> = {
  async 'await-completed-search-attributes'(h) {
    const task = await h.sim.addTask({
      id: 'video_replay_sa_done',
      model: 'seedance_1_5_pro_720p',
      createdMs: Date.now() - 10 * MINUTE,
    });
    return settle(await startAwait(h, `seedance-${task.id}`, { taskId: task.id, fileName: 'done.mp4' }));
  },
  async 'await-check-now-search-attributes'(h) {
    const task = await h.sim.addTask({
      id: 'video_replay_sa_checknow',
      model: 'seedance_1_5_pro_720p',
      timing: { queuedMs: 0, renderMs: 2_000 },
    });
    const handle = await startAwait(h, `seedance-${task.id}`, { taskId: task.id });
    await waitForPhase(handle, 'waiting');
    await new Promise((r) => setTimeout(r, 2_500));
    await handle.signal('checkNow');
    return settle(handle);
  },
  async 'await-continue-as-new-search-attributes'(h) {
    const task = await h.sim.addTask({
      id: 'video_replay_sa_flex',
      model: 'seedance_1_5_pro_480p',
      timing: { queuedMs: 0, renderMs: 5_000 },
    });
    const handle = await startAwait(h, `seedance-${task.id}`, {
      taskId: task.id,
      historyEventsBeforeContinue: 40,
      readsPerPoll: 1,
    });
    // Real time: check whenever it waits, so a few seconds make several runs.
    while ((await handle.describe()).status.name === 'RUNNING') {
      const status = await handle.query<{ phase: string }>('status').catch(() => undefined);
      if (status?.phase === 'waiting') await handle.signal('checkNow').catch(() => undefined);
      await new Promise((r) => setTimeout(r, 250));
    }
    return settle(handle);
  },
  async 'await-cancel-signal-search-attributes'(h) {
    const task = await h.sim.addTask({
      id: 'video_replay_sa_cancel',
      model: 'seedance_1_5_pro_480p',
      timing: { queuedMs: 0, renderMs: 60 * MINUTE },
    });
    const handle = await startAwait(h, `seedance-${task.id}`, { taskId: task.id });
    await waitForPhase(handle, 'waiting');
    await handle.signal('cancel', { reason: 'changed my mind' });
    return settle(handle);
  },
};

/**
 * ModelArk, on the time-skipping server: ids of the form ModelArk hands out (`cgt-...`), fixed here.
 * Without callbacks: polling at the documented interval of the task's resolution.
 */
const modelArk: Record<string, Capture<ModelArkSimulator>> = {
  async 'await-completed-720p'(h) {
    await h.sim.addTask({
      id: 'cgt-20260101120000-rcomp',
      resolution: '720p',
      timing: { queuedMs: MINUTE, renderMs: 150_000 },
    });
    return settle(await startAwait(h, 'seedance-cgt-20260101120000-rcomp', { taskId: 'cgt-20260101120000-rcomp' }));
  },
  async 'generate-completed'(h) {
    const handle = await settle(
      await startGenerate(h, 'generate-replay-modelark', {
        request: {
          model: 'seedance_1_5_pro_720p',
          content: [{ type: 'text', text: 'a lighthouse in a storm' }],
          duration: 5,
        },
        fileName: 'lighthouse.mp4',
      }),
    );
    // ModelArk's create answers only the id: the first status read is after the first wait.
    const create = h.sim.requests.find((r) => r.kind === 'create');
    expectPath(h.sim.createCount() === 1 && create?.taskId !== undefined, 'one create');
    const firstRead = requestsFor(h.sim, 'status', create!.taskId!)[0];
    expectPath(firstRead !== undefined && firstRead.at - create!.at >= MINUTE, 'no status read right after create');
    return handle;
  },
  async 'await-remote-failed'(h) {
    await h.sim.addTask({
      id: 'cgt-20260101120000-rfail',
      outcome: 'failed',
      errorCode: 'OutputVideoSensitiveContentDetected.PolicyViolation',
      error: 'The request failed because the output video may contain sensitive information.',
      timing: { queuedMs: 10_000, renderMs: 150_000 },
    });
    return settle(await startAwait(h, 'seedance-cgt-20260101120000-rfail', { taskId: 'cgt-20260101120000-rfail' }));
  },
  async 'await-expired'(h) {
    // Still queued when its execution_expires_after (10 min here) runs out: ModelArk reports `expired`.
    await h.sim.addTask({
      id: 'cgt-20260101120000-rexpi',
      executionExpiresAfterS: 600,
      timing: { queuedMs: 60 * MINUTE, renderMs: 5 * MINUTE },
    });
    return settle(await startAwait(h, 'seedance-cgt-20260101120000-rexpi', { taskId: 'cgt-20260101120000-rexpi' }));
  },
  async 'await-cancel-signal-queued'(h) {
    await h.sim.addTask({ id: 'cgt-20260101120000-rcanq', timing: { queuedMs: 60 * MINUTE, renderMs: 5 * MINUTE } });
    const handle = await startAwait(h, 'seedance-cgt-20260101120000-rcanq', { taskId: 'cgt-20260101120000-rcanq' });
    await waitForPhase(handle, 'waiting');
    await handle.signal('cancel', { reason: 'not needed any more' });
    await settle(handle);
    expectPath(requestsFor(h.sim, 'delete', 'cgt-20260101120000-rcanq').length === 1, 'one DELETE of the queued task');
    return handle;
  },
  async 'await-cancel-signal-running'(h) {
    await h.sim.addTask({ id: 'cgt-20260101120000-rcanr', timing: { queuedMs: 0, renderMs: 60 * MINUTE } });
    const handle = await startAwait(h, 'seedance-cgt-20260101120000-rcanr', { taskId: 'cgt-20260101120000-rcanr' });
    await waitForPhase(handle, 'waiting');
    await handle.signal('cancel', { reason: 'not needed any more' });
    await settle(handle);
    expectPath(requestsFor(h.sim, 'delete', 'cgt-20260101120000-rcanr').length === 0, 'no DELETE of a running task');
    return handle;
  },
  async 'await-workflow-cancel-queued'(h) {
    await h.sim.addTask({ id: 'cgt-20260101120000-rwfcq', timing: { queuedMs: 60 * MINUTE, renderMs: 5 * MINUTE } });
    const handle = await startAwait(h, 'seedance-cgt-20260101120000-rwfcq', { taskId: 'cgt-20260101120000-rwfcq' });
    await waitForPhase(handle, 'waiting');
    await handle.cancel();
    await settle(handle);
    expectPath(requestsFor(h.sim, 'delete', 'cgt-20260101120000-rwfcq').length === 1, 'one DELETE of the queued task');
    return handle;
  },
  async 'await-check-now-hints'(h) {
    const taskId = 'cgt-20260101120000-rhint';
    await h.sim.addTask({ id: taskId, timing: { queuedMs: 0, renderMs: 5 * MINUTE } });
    const handle = await startAwait(h, `seedance-${taskId}`, { taskId });
    await waitForWaitAfterCheck(handle, 1);
    // Hints that cost no read: another task's, and a status that changes nothing.
    const ignored: CheckNowInput[] = [
      { source: 'callback', taskId: 'cgt-20260101120000-other', status: 'completed' },
      { source: 'callback', taskId, status: 'processing' },
    ];
    for (const hint of ignored) await handle.signal('checkNow', hint);
    // `completed` while the task still renders: each wakes the run until the burst (3) is spent.
    const completed: CheckNowInput = { source: 'callback', taskId, status: 'completed' };
    for (let checks = 2; checks <= 4; checks++) {
      await handle.signal('checkNow', completed);
      await waitForWaitAfterCheck(handle, checks);
    }
    await handle.signal('checkNow', completed); // over budget: no read
    await handle.signal('checkNow'); // an operator's, also over budget
    await settle(handle);
    return handle;
  },
  async 'await-continue-as-new'(h) {
    await h.sim.addTask({
      id: 'cgt-20260101120000-rflex',
      serviceTier: 'flex',
      timing: { queuedMs: 5 * MINUTE, renderMs: 10 * MINUTE },
    });
    return settle(
      await startAwait(h, 'seedance-cgt-20260101120000-rflex', {
        taskId: 'cgt-20260101120000-rflex',
        serviceTier: 'flex',
        historyEventsBeforeContinue: 40,
        readsPerPoll: 1,
      }),
    );
  },
};

/**
 * ModelArk with callbacks on (the worker's creates send a signed `callback_url`; a receiver turns
 * the `succeeded` callback into a `checkNow` signal): polling is only the fallback, 4x sparser.
 */
const modelArkWithCallbacks: Record<string, Capture<ModelArkSimulator>> = {
  async 'generate-callback'(h, env) {
    const handle = await startGenerate(h, 'generate-replay-callback', {
      request: {
        model: 'seedance_1_5_pro_720p',
        content: [{ type: 'text', text: 'paper boats on a canal' }],
        duration: 5,
      },
      fileName: 'boats.mp4',
    });
    await waitForPhase(handle, 'waiting');
    // The task succeeds 1 min after create (see CALLBACK_PROFILE), long before the first fallback
    // check (at least 2 min): the callback, not a timer, wakes the run.
    await env!.sleep('70s');
    await h.sim.flushCallbacks();
    await settle(handle);
    const taskId = h.sim.requests.find((r) => r.kind === 'create')?.taskId ?? '';
    expectPath(
      h.sim.callbacks.some((c) => c.taskId === taskId && c.status === 'succeeded' && c.acknowledged),
      'the succeeded callback was acknowledged',
    );
    expectPath(requestsFor(h.sim, 'status', taskId).length === 1, 'one status read, after the callback');
    return handle;
  },
};

/** Worker identities carry the host name: not something to commit. */
function anonymize(json: string): string {
  return json.replace(/"identity": "[^"]*"/g, '"identity": "capture-histories"');
}

async function captureAll<Sim extends AnySimulator>(
  h: Harness<Sim>,
  captures: Record<string, Capture<Sim>>,
  label: string,
  env?: TestWorkflowEnvironment,
) {
  for (const [name, capture] of Object.entries(captures)) {
    if (ONLY && !ONLY.test(name)) continue;
    const handle = await capture(h, env);
    const runs = await runsOf(h.client, handle.workflowId, handle.firstExecutionRunId);
    for (const [i, run] of runs.entries()) {
      const file = path.join(OUT_DIR, `${label}-${name}${runs.length > 1 ? `-run${i + 1}` : ''}.json`);
      await fs.writeFile(file, anonymize(historyToJson(run.history)) + '\n');
      console.log(`${path.relative(process.cwd(), file)}: ${run.history.events?.length ?? 0} events`);
    }
  }
}

function startTimeSkipping(): Promise<TestWorkflowEnvironment> {
  return findTestServer().then((server) =>
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: toExecutable(server) } }),
  );
}

async function captureReseller(label: string): Promise<void> {
  const env = await startTimeSkipping();
  try {
    // Generated 1080p tasks render long enough (flex: 3 + 15 min) to continue as new.
    const h = await startSeedanceTestStack({
      env,
      taskQueue: 'seedance-video',
      ...API_BUDGET,
      simulator: {
        profile: { seedance_1_5_pro_1080p: { queuedMs: MINUTE, renderMs: 5 * MINUTE } },
        timingFor: ({ prompt }) =>
          prompt.includes(BATCH_SLOW_WORD) ? { queuedMs: 0, renderMs: 120 * MINUTE } : undefined,
      },
    });
    h.sim.onRequest = (entry) => {
      const prompt = entry.createRequest?.content.find((c) => c.type === 'text')?.text ?? '';
      if (entry.taskId && prompt.includes(BATCH_FAIL_WORD))
        h.sim.setOutcome(entry.taskId, 'failed', 'simulated refusal');
    };
    try {
      await captureAll(h, timeSkipping, label, env);
      await captureAll(h, batches, label, env);
    } finally {
      await h.close();
    }
  } finally {
    await env.teardown();
  }

  if (ONLY && !Object.keys(devServer).some((name) => ONLY.test(name))) return;
  const server = await startDevServer({ headless: true });
  const connection = await NativeConnection.connect({ address: server.address });
  const clientConnection = await Connection.connect({ address: server.address });
  try {
    const h = await startSeedanceTestStack({
      connection,
      client: new Client({ connection: clientConnection }),
      taskQueue: 'seedance-video',
      ...API_BUDGET,
    });
    try {
      await captureAll(h, devServer, label);
    } finally {
      await h.close();
    }
  } finally {
    await clientConnection.close();
    await connection.close();
    await server.stop();
    await fs.rm(path.dirname(server.dbFile), { recursive: true, force: true });
  }
}

/** Generated 720p tasks: queued 1 min, rendered 3 (the fallback polling sees them queued, then running). */
const MODELARK_PROFILE = { seedance_1_5_pro_720p: { queuedMs: MINUTE, renderMs: 3 * MINUTE } };
/** With callbacks: done 1 min after create, before the first (sparser) fallback check. */
const CALLBACK_PROFILE = { seedance_1_5_pro_720p: { queuedMs: 10_000, renderMs: 50_000 } };
/** Signs the callback URLs the creates send; only this script's receiver checks it. Not a secret. */
const CALLBACK_SECRET = 'capture-histories-callback-secret';

/**
 * Each ModelArk path on a fresh time-skipping server. ModelArk's create answers only the id, so a
 * created task's `createdMs` is the worker's clock, and the run compares it with workflow time: the
 * two must agree. They stop agreeing after a run ends, when the server skips to the timeouts of
 * its finished activities (48 h on, for a ModelArk task's deadline); a fresh server starts on the
 * worker's clock.
 */
async function captureModelArk(label: string): Promise<void> {
  for (const [name, capture] of Object.entries(modelArk)) {
    const env = await startTimeSkipping();
    try {
      const h = await startModelArkTestStack({
        env,
        taskQueue: 'seedance-video',
        ...API_BUDGET,
        simulator: { profile: MODELARK_PROFILE },
      });
      try {
        await captureAll(h, { [name]: capture }, label, env);
      } finally {
        await h.close();
      }
    } finally {
      await env.teardown();
    }
  }
  for (const [name, capture] of Object.entries(modelArkWithCallbacks)) {
    const env = await startTimeSkipping();
    // The receiver the worker's callback URLs point at, signalling through the test client.
    const signaler = createTemporalSignaler({ client: env.client });
    const receiver = await startCallbackReceiver({
      host: '127.0.0.1',
      port: 0,
      secret: CALLBACK_SECRET,
      signaler,
      logger: { debug() {}, info() {}, warn: (message, meta) => console.warn(message, meta) },
    });
    try {
      const h = await startModelArkTestStack({
        env,
        taskQueue: 'seedance-video',
        ...API_BUDGET,
        callback: { url: receiver.url, secret: CALLBACK_SECRET },
        simulator: { profile: CALLBACK_PROFILE },
      });
      try {
        await captureAll(h, { [name]: capture }, label, env);
      } finally {
        await h.close();
      }
    } finally {
      await receiver.close();
      await signaler.drain();
      await env.teardown();
    }
  }
}

function providerFromEnv(): ProviderName {
  const name = process.env.CAPTURE_PROVIDER ?? 'reseller';
  if (!(PROVIDERS as readonly string[]).includes(name)) {
    throw new Error(`CAPTURE_PROVIDER must be one of ${PROVIDERS.join(', ')}, not ${JSON.stringify(name)}`);
  }
  return name as ProviderName;
}

async function run(): Promise<void> {
  const provider = providerFromEnv();
  const version = (
    JSON.parse(await fs.readFile(path.resolve(__dirname, '../package.json'), 'utf8')) as { version: string }
  ).version;
  const label = process.argv[2] ?? `v${version}${provider === 'modelark' ? MODELARK_LABEL_SUFFIX : ''}`;
  if (!/^[A-Za-z0-9._]+$/.test(label)) {
    throw new Error('the label must be letters, digits, "." or "_" (no "-": the path follows the first "-")');
  }
  if (label.endsWith(MODELARK_LABEL_SUFFIX) !== (provider === 'modelark')) {
    throw new Error(`ModelArk labels, and only they, end with ${MODELARK_LABEL_SUFFIX} (the paths share names)`);
  }
  await fs.mkdir(OUT_DIR, { recursive: true });
  if (provider === 'modelark') await captureModelArk(label);
  else await captureReseller(label);
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
