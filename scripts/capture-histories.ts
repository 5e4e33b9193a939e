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
import { AWAIT_WORKFLOW_TYPE, GENERATE_WORKFLOW_TYPE } from '../src/contract/names';
import type { AwaitSeedanceVideoInput, GenerateSeedanceVideoInput } from '../src/contract/types';
import {
  findTestServer,
  historyToJson,
  runsOf,
  startDevServer,
  startSeedanceTestStack,
  toExecutable,
  type SeedanceTestStack,
} from '../src/testing';
import type { TestOnlyInput } from '../src/testing/test-only-input';

// Workers log every state change at INFO; the capture prints what it wrote, and what went wrong.
Runtime.install({ logger: new DefaultLogger('ERROR') });

const OUT_DIR = path.resolve(__dirname, '../test/replay/histories');
const MINUTE = 60_000;
const API_BUDGET = process.env.CAPTURE_API_RPS ? { apiRequestsPerSecond: Number(process.env.CAPTURE_API_RPS) } : {};

type Harness = SeedanceTestStack;
type Handle = WorkflowHandleWithFirstExecutionRunId;
type Capture = (h: Harness, env?: TestWorkflowEnvironment) => Promise<Handle>;

/** Starts `awaitSeedanceVideo` under a fixed workflow id, so a new capture reads like the last one. */
function startAwait(h: Harness, workflowId: string, input: AwaitSeedanceVideoInput & TestOnlyInput): Promise<Handle> {
  return h.client.workflow.start(AWAIT_WORKFLOW_TYPE, { taskQueue: h.taskQueue, workflowId, args: [input] });
}

/** Starts `generateSeedanceVideo` under a fixed workflow id. */
function startGenerate(
  h: Harness,
  workflowId: string,
  input: GenerateSeedanceVideoInput & TestOnlyInput,
): Promise<Handle> {
  return h.client.workflow.start(GENERATE_WORKFLOW_TYPE, { taskQueue: h.taskQueue, workflowId, args: [input] });
}

async function waitForPhase(handle: WorkflowHandle, phase: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const status = await handle.query<{ phase: string }>('status').catch(() => undefined);
    if (status?.phase === phase) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${handle.workflowId} never reached phase ${phase}`);
}

async function settle(handle: Handle): Promise<Handle> {
  await handle.result().catch(() => undefined);
  return handle;
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
      }),
    );
  },
};

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
    const handle = await startAwait(h, `seedance-${task.id}`, { taskId: task.id, historyEventsBeforeContinue: 40 });
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

/** Worker identities carry the host name: not something to commit. */
function anonymize(json: string): string {
  return json.replace(/"identity": "[^"]*"/g, '"identity": "capture-histories"');
}

async function captureAll(h: Harness, captures: Record<string, Capture>, label: string, env?: TestWorkflowEnvironment) {
  for (const [name, capture] of Object.entries(captures)) {
    const handle = await capture(h, env);
    const runs = await runsOf(h.client, handle.workflowId, handle.firstExecutionRunId);
    for (const [i, run] of runs.entries()) {
      const file = path.join(OUT_DIR, `${label}-${name}${runs.length > 1 ? `-run${i + 1}` : ''}.json`);
      await fs.writeFile(file, anonymize(historyToJson(run.history)) + '\n');
      console.log(`${path.relative(process.cwd(), file)}: ${run.history.events?.length ?? 0} events`);
    }
  }
}

async function run(): Promise<void> {
  const version = (
    JSON.parse(await fs.readFile(path.resolve(__dirname, '../package.json'), 'utf8')) as { version: string }
  ).version;
  const label = process.argv[2] ?? `v${version}`;
  if (!/^[A-Za-z0-9._-]+$/.test(label)) throw new Error('the label must be letters, digits, ".", "_" or "-"');
  await fs.mkdir(OUT_DIR, { recursive: true });

  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: toExecutable(await findTestServer()) },
  });
  try {
    // Generated 1080p tasks render long enough (flex: 3 + 15 min) to continue as new.
    const h = await startSeedanceTestStack({
      env,
      taskQueue: 'seedance-video',
      ...API_BUDGET,
      simulator: { profile: { seedance_1_5_pro_1080p: { queuedMs: MINUTE, renderMs: 5 * MINUTE } } },
    });
    try {
      await captureAll(h, timeSkipping, label, env);
    } finally {
      await h.close();
    }
  } finally {
    await env.teardown();
  }

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

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
