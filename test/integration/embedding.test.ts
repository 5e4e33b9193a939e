/**
 * Embedding the package as a user would: their own `Worker.create({...seedanceWorkerOptions()})`
 * with their own workflow module (test/integration/embedding/parent-workflows.ts) that calls the
 * Seedance workflow through the typed child helper, and the typed client starters. Time-skipping
 * server, simulator on its clock.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getSeedanceVideoHandle, startGenerateSeedanceVideo, startSeedanceVideo } from '../../src/client';
import { cancelSignal, statusQuery, workflowIdForTask } from '../../src/contract';
import { MAX_HEARTBEAT_THROTTLE_INTERVAL, seedanceWorkerOptions } from '../../src/create-worker';
import { SeedanceClient } from '../../src/seedance/client';
import { createSimulator, type Simulator } from '../../src/simulator';
import { LocalDirectoryStorage, STAGING_DIR_NAME } from '../../src/storage';
import { videoRequests } from '../helpers/requests';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { until } from '../helpers/wait';
import { readyTask, uniqueId } from '../helpers/workflows';
import type { clipOfTask, failureTypeOfTask } from './embedding/parent-workflows';

Runtime.install({ logger: new DefaultLogger('ERROR') });

const KEY = 'sk-embedding-0123456789abcdef';
const PARENTS = path.join(__dirname, 'embedding', 'parent-workflows.ts');

let env: TestWorkflowEnvironment;
let sim: Simulator;
let outputDir: string;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `embedding-${process.pid}`;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  sim = await createSimulator({ apiKey: KEY, clock: () => env.currentTimeMs() });
  outputDir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-embed-'));
  const storage = await LocalDirectoryStorage.create(outputDir);
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: PARENTS, logger: silent });
  // Exactly what the README tells an embedding user to write.
  worker = await Worker.create({
    connection: env.nativeConnection,
    ...seedanceWorkerOptions({
      client: new SeedanceClient({ apiKey: KEY, baseUrl: sim.url, timeoutMs: 5_000 }),
      storage,
      download: { allowPrivateUrls: true },
      workflowBundle,
      shutdownGraceTimeMs: 2_000,
    }),
    taskQueue,
  });
  running = worker.run();
});

beforeEach(() => sim.clearFaults());

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running?.catch(() => undefined);
  await sim?.close();
  await env?.teardown();
  if (outputDir) await fs.rm(outputDir, { recursive: true, force: true });
});

describe('a parent workflow through the typed child helper', () => {
  it('gets the typed result of awaitSeedanceVideo', async () => {
    const { taskId } = await readyTask(sim, 'child');
    const clip = await env.client.workflow.execute<typeof clipOfTask>('clipOfTask', {
      taskQueue,
      workflowId: `parent-${taskId}`,
      args: [taskId, taskQueue],
    });
    expect(clip.sha256).toBe(createHash('sha256').update(sim.video).digest('hex'));
    expect(clip.uri).toBe(`file://${path.join(outputDir, `${taskId}.mp4`)}`);
    expect(clip.checks).toBe(1);
    // The child ran under the id convention, so a client finds it by task id.
    const child = await getSeedanceVideoHandle(env.client, taskId).describe();
    expect(child.workflowId).toBe(workflowIdForTask(taskId));
    expect(child.type).toBe('awaitSeedanceVideo');
    expect(child.status.name).toBe('COMPLETED');
  });

  it('sees the typed failure type of a failed task', async () => {
    const { taskId } = await readyTask(sim, 'child-failed', { outcome: 'failed', error: 'policy' });
    const type = await env.client.workflow.execute<typeof failureTypeOfTask>('failureTypeOfTask', {
      taskQueue,
      workflowId: `parent-${taskId}`,
      args: [taskId, taskQueue],
    });
    expect(type).toBe('SeedanceTaskFailed');
  });

  it('cancelling the parent cancels the child, which removes its partial file before the parent closes', async () => {
    sim.inject({ kind: 'throttle', bytesPerSecond: 20_000 });
    const { taskId } = await readyTask(sim, 'child-cancel');
    const parent = await env.client.workflow.start<typeof clipOfTask>('clipOfTask', {
      taskQueue,
      workflowId: `parent-${taskId}`,
      args: [taskId, taskQueue],
    });
    await until(() => (videoRequests(sim, taskId).at(-1)?.bytesServed ?? 0) > 20_000);
    await parent.cancel();
    await expect(parent.result()).rejects.toThrow(WorkflowFailedError);
    const child = await getSeedanceVideoHandle(env.client, taskId).describe();
    expect(child.status.name).toBe('CANCELLED');
    const parentClosed = (await parent.describe()).closeTime!.getTime();
    expect(child.closeTime!.getTime()).toBeLessThanOrEqual(parentClosed);
    const partials = await fs.readdir(path.join(outputDir, STAGING_DIR_NAME)).catch(() => [] as string[]);
    expect(partials.filter((n) => n.includes(taskId))).toEqual([]);
  });
});

describe("a user's own Worker.create({...seedanceWorkerOptions()})", () => {
  it('sets the heartbeat throttle the cancel latency depends on', () => {
    expect(worker.options.maxHeartbeatThrottleIntervalMs).toBe(2_000);
    expect(MAX_HEARTBEAT_THROTTLE_INTERVAL).toBe('2s');
  });

  it('stops three downloads within about 2 s of their cancel signals', async () => {
    // Three downloads, each with its own heartbeat phase: without the 2 s throttle the SDK sends
    // heartbeats every 8 s and at least one cancel would wait longer than 3 s.
    sim.inject({ kind: 'throttle', bytesPerSecond: 20_000, times: 3 });
    const handles: WorkflowHandle[] = [];
    for (const prefix of ['lat-a', 'lat-b', 'lat-c']) {
      const { taskId } = await readyTask(sim, prefix);
      handles.push(await startSeedanceVideo(env.client, { taskId }, { taskQueue }));
    }
    const taskIds = handles.map((h) => h.workflowId.replace(/^seedance-/, ''));
    await until(() => taskIds.every((id) => (videoRequests(sim, id).at(-1)?.bytesServed ?? 0) > 30_000));
    for (const handle of handles) await handle.signal(cancelSignal, { reason: 'latency probe' });
    const latencies: number[] = [];
    // Measured on the server's clock, from each run's history: signal received to run closed.
    for (const handle of handles) {
      await handle.result().catch(() => undefined);
      const events = (await handle.fetchHistory()).events ?? [];
      const at = (e: (typeof events)[number] | undefined) =>
        Number(e!.eventTime!.seconds) * 1000 + e!.eventTime!.nanos! / 1e6;
      const signalled = events.find((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'cancel');
      latencies.push(Math.round(at(events.at(-1)) - at(signalled)));
    }
    for (const handle of handles) expect((await handle.query(statusQuery)).phase).toBe('cancelled');
    for (const id of taskIds) expect(videoRequests(sim, id).every((r) => !r.complete)).toBe(true);
    console.info(`embedding: cancel latencies ${latencies.join(', ')} ms`);
    expect(Math.max(...latencies)).toBeLessThan(3_000);
  });

  it('startSeedanceVideo attaches to the running workflow instead of starting a second one', async () => {
    sim.inject({ kind: 'throttle', bytesPerSecond: 20_000 });
    const { taskId } = await readyTask(sim, 'attach');
    const first = await startSeedanceVideo(env.client, { taskId }, { taskQueue });
    const second = await startSeedanceVideo(env.client, { taskId }, { taskQueue });
    expect(second.workflowId).toBe(workflowIdForTask(taskId));
    expect(second.firstExecutionRunId).toBe(first.firstExecutionRunId);
    await first.signal(cancelSignal, { reason: 'done' });
    await first.result().catch(() => undefined);
  });
  it('startGenerateSeedanceVideo with the same workflow id twice pays for one task', async () => {
    const creates = sim.createCount();
    const input = {
      request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text' as const, text: 'a red fox in snow' }] },
    };
    const workflowId = uniqueId('order');
    const first = await startGenerateSeedanceVideo(env.client, input, { taskQueue, workflowId });
    const second = await startGenerateSeedanceVideo(env.client, input, { taskQueue, workflowId });
    expect(second.firstExecutionRunId).toBe(first.firstExecutionRunId);
    const result = await first.result();
    expect(result.status).toBe('completed');
    expect(result.video.sha256).toBe(createHash('sha256').update(sim.video).digest('hex'));
    expect(sim.createCount()).toBe(creates + 1);
  });
});

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
