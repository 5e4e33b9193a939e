/**
 * The ModelArk provider as an operator runs it: a dev server, the simulator in ModelArk mode, the
 * production worker process configured by the README's variables (`SEEDANCE_PROVIDER=modelark`,
 * callbacks received inside the worker), and the `temporal` CLI driving the workflows.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNowSignal } from '../../src/contract';
import { createSimulator, type ModelArkSimulator } from '../../src/simulator';
import { lastFramePng } from '../../src/simulator/last-frame';
import { statusChanges } from '../../src/simulator/modelark/tasks';
import { freePort } from '../../src/testing/ports';
import { createDevServerForTest, type TestDevServer } from '../helpers/temporal';
import { until } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const CLI_POLL_MS = 250;
const API_KEY = 'ark-integration-SECRET-0a1b2c3d4e5f';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const LONG = { queuedMs: 0, renderMs: 2 * HOUR };

let server: TestDevServer;
let sim: ModelArkSimulator;
let worker: WorkerProcess;
let outputDir: string;
let callbackUrl: string;

beforeAll(async () => {
  [server, sim] = await Promise.all([
    createDevServerForTest(),
    createSimulator({ provider: 'modelark', apiKey: API_KEY, callbackTickMs: 50 }),
  ]);
  outputDir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-modelark-'));
  const listen = `127.0.0.1:${await freePort()}`;
  callbackUrl = `http://${listen}/seedance/callback`;
  worker = await startWorkerProcess({
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    SEEDANCE_PROVIDER: 'modelark',
    SEEDANCE_API_KEY: API_KEY,
    SEEDANCE_BASE_URL: sim.baseUrl,
    SEEDANCE_OUTPUT: outputDir,
    SEEDANCE_ALLOW_PRIVATE_URLS: 'true',
    SEEDANCE_CALLBACK_URL: callbackUrl,
    SEEDANCE_CALLBACK_LISTEN: listen,
  });
  await worker.waitForLog('seedance callback receiver:');
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await sim?.close();
  await server?.dispose();
  if (outputDir) await fs.rm(outputDir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<string> {
  const result = await server.cli(args);
  if (result.code !== 0) throw new Error(`temporal ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

function start(type: string, workflowId: string, input: unknown): Promise<string> {
  const args = ['--task-queue', 'seedance-video', '--workflow-id', workflowId, '--input', JSON.stringify(input)];
  return cli('workflow', 'start', '--type', type, ...args);
}

/** `temporal workflow result` of a run that fails: its JSON output. */
async function failureOf(workflowId: string): Promise<string> {
  const result = await server.cli(['workflow', 'result', '--workflow-id', workflowId, '--output', 'json']);
  expect(result.code).not.toBe(0);
  return result.stdout;
}

function statusReads(taskId: string) {
  return sim.requests.filter((r) => r.kind === 'status' && r.taskId === taskId);
}

function deletes(taskId: string) {
  return sim.requests.filter((r) => r.kind === 'delete' && r.taskId === taskId);
}

async function waitingPhase(workflowId: string): Promise<{ remoteStatus: string; checks: number }> {
  return until(
    async () => {
      const out = await cli('workflow', 'query', '--workflow-id', workflowId, '--type', 'status', '--output', 'json');
      const value = (JSON.parse(out) as { queryResult: Array<{ phase: string; remoteStatus: string; checks: number }> })
        .queryResult[0]!;
      return value.phase === 'waiting' ? value : undefined;
    },
    20_000,
    `${workflowId} waiting`,
    CLI_POLL_MS,
  );
}

/** Posts a callback body to the worker's receiver, as ModelArk would (or a forger). */
async function postCallback(url: string, body: Record<string, unknown>): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

interface HistoryEvent {
  eventType: string;
  eventTime: string;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
}

async function historyOf(workflowId: string): Promise<HistoryEvent[]> {
  const out = await cli('workflow', 'show', '--workflow-id', workflowId, '--output', 'json');
  return (JSON.parse(out) as { events: HistoryEvent[] }).events;
}

describe('SEEDANCE_PROVIDER=modelark, through the temporal CLI', () => {
  it('generateSeedanceVideo creates a cgt- task, hears its callback and stores the right bytes, with usage and the last frame', async () => {
    const workflowId = `modelark-generate-${randomBytes(4).toString('hex')}`;
    await start('generateSeedanceVideo', workflowId, {
      request: {
        model: 'seedance-1-5-pro-251215',
        resolution: '480p',
        content: [{ type: 'text', text: 'a red fox in snow' }],
        return_last_frame: true,
      },
      fileName: 'fox.mp4',
    });
    const out = await cli('workflow', 'result', '--workflow-id', workflowId, '--output', 'json');
    const result = JSON.parse(out).result as {
      taskId: string;
      model: string;
      status: string;
      checks: number;
      usage: { completionTokens: number; totalTokens: number };
      video: { uri: string; bytes: number; sha256: string };
      lastFrame: { uri: string; bytes: number; sha256: string };
    };
    expect(result.taskId).toMatch(/^cgt-\d{14}-[a-z0-9]{5}$/);
    expect(result).toMatchObject({ model: 'seedance-1-5-pro-251215', status: 'completed' });
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    const bytes = await fs.readFile(fileURLToPath(result.video.uri));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sim.videoSha256);
    expect(path.basename(result.video.uri)).toBe('fox.mp4');
    // The last frame, as ModelArk's `content.last_frame_url` served it, stored beside the video.
    expect(path.basename(result.lastFrame.uri)).toBe('fox.last-frame.png');
    const frame = await fs.readFile(fileURLToPath(result.lastFrame.uri));
    expect(createHash('sha256').update(frame).digest('hex')).toBe(lastFramePng().sha256);
    expect(result.lastFrame.sha256).toBe(lastFramePng().sha256);

    // The create carried a callback URL that names this workflow (signed), and the callbacks arrived.
    const create = sim.requests.find((r) => r.kind === 'create' && r.taskId === result.taskId);
    expect(create).toBeDefined();
    const callbacks = sim.callbacks.filter((c) => c.taskId === result.taskId);
    expect(callbacks.map((c) => c.status)).toContain('succeeded');
    expect(callbacks[0]!.url.startsWith(`${callbackUrl}?workflowId=${workflowId}&sig=`)).toBe(true);

    // Completion to download start, and the status reads the video cost.
    const task = sim.getTask(result.taskId)!;
    const completedAt = statusChanges(task).at(-1)!.atMs;
    const events = await historyOf(workflowId);
    const downloadScheduled = events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'downloadVideo',
    )!;
    const lagMs = Date.parse(downloadScheduled.eventTime) - completedAt;
    const reads = statusReads(result.taskId).length;
    console.log(`modelark callback: completion to download start ${lagMs} ms, ${reads} status reads`);
    // 480p is first polled 30 s after creation; well before that, only the callback can have woken the run.
    expect(lagMs).toBeLessThan(10_000);
    expect(reads).toBeLessThanOrEqual(3);
    // The callback ended the wait before its first check and went straight to the download, whose
    // own status read confirmed it: no check activity at all (one billable action less per video).
    const scheduled = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(scheduled).toEqual(['createVideoTask', 'downloadVideo']);
    expect(result.checks).toBe(1);
    expect(reads).toBe(1);

    const history = JSON.stringify(events);
    expect(history).not.toContain(API_KEY);
    expect(history).not.toMatch(/sig=|\/files\//);
  });

  it('awaitSeedanceVideo follows an existing cgt- task to its video', async () => {
    const task = await sim.addTask({ resolution: '720p', createdMs: Date.now() - 10 * MINUTE });
    const workflowId = `seedance-${task.id}`;
    await start('awaitSeedanceVideo', workflowId, { taskId: task.id });
    const out = await cli('workflow', 'result', '--workflow-id', workflowId, '--output', 'json');
    const result = JSON.parse(out).result as { taskId: string; checks: number; video: { sha256: string } };
    expect(result).toMatchObject({ taskId: task.id, checks: 1, video: { sha256: sim.videoSha256 } });
  });

  it("ends a failed task in SeedanceTaskFailed with the API's code and text", async () => {
    const task = await sim.addTask({
      createdMs: Date.now() - 10 * MINUTE,
      outcome: 'failed',
      errorCode: 'OutputVideoSensitiveContentDetected.PolicyViolation',
      error: 'The output video may be related to copyright restrictions.',
    });
    const workflowId = `seedance-${task.id}`;
    await start('awaitSeedanceVideo', workflowId, { taskId: task.id });
    const failure = await failureOf(workflowId);
    expect(failure).toContain('"type": "SeedanceTaskFailed"');
    expect(failure).toContain('The output video may be related to copyright restrictions.');
    expect(failure).toContain('OutputVideoSensitiveContentDetected.PolicyViolation');
  });

  it('ends a task that outlived execution_expires_after in SeedanceTaskExpired', async () => {
    const task = await sim.addTask({
      createdMs: Date.now() - 2 * HOUR,
      executionExpiresAfterS: 3600,
      timing: { queuedMs: 3 * HOUR, renderMs: MINUTE },
    });
    const workflowId = `seedance-${task.id}`;
    await start('awaitSeedanceVideo', workflowId, { taskId: task.id });
    const failure = await failureOf(workflowId);
    expect(failure).toContain('"type": "SeedanceTaskExpired"');
    expect(failure).toContain(`Seedance task ${task.id} expired`);
  });

  it('the cancel signal on a queued task sends one DELETE, and the simulator shows it cancelled', async () => {
    const task = await sim.addTask({ timing: { queuedMs: 2 * HOUR, renderMs: MINUTE } });
    const workflowId = `seedance-${task.id}`;
    await start('awaitSeedanceVideo', workflowId, { taskId: task.id });
    expect(await waitingPhase(workflowId)).toMatchObject({ remoteStatus: 'queued' });
    await cli(
      'workflow',
      'signal',
      '--workflow-id',
      workflowId,
      '--name',
      'cancel',
      '--input',
      '{"reason":"changed my mind"}',
    );
    const failure = await failureOf(workflowId);
    expect(failure).toContain('"type": "SeedanceWorkflowCancelled"');
    expect(failure).toContain('"cancelled": true');
    expect(deletes(task.id)).toHaveLength(1);
    const read = await fetch(`${sim.baseUrl}/contents/generations/tasks/${task.id}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(((await read.json()) as { status: string }).status).toBe('cancelled');
    expect(failure).toContain(`remote task ${task.id} was stopped while queued (not rendered, not billed)`);
  });

  it('temporal workflow cancel on a queued task stops it remotely too, and the run ends Canceled', async () => {
    const task = await sim.addTask({ timing: { queuedMs: 2 * HOUR, renderMs: MINUTE } });
    const workflowId = `seedance-${task.id}`;
    await start('awaitSeedanceVideo', workflowId, { taskId: task.id });
    await waitingPhase(workflowId);
    await cli('workflow', 'cancel', '--workflow-id', workflowId);
    await until(
      async () => {
        const out = await cli('workflow', 'describe', '--workflow-id', workflowId, '--output', 'json');
        return out.includes('WORKFLOW_EXECUTION_STATUS_CANCELED') ? out : undefined;
      },
      15_000,
      'the run canceled',
      CLI_POLL_MS,
    );
    expect(deletes(task.id)).toHaveLength(1);
    expect(sim.getTask(task.id)!.cancelledMs).not.toBeNull();
    // A closed run still answers the status query (replayed by the worker): it says what the cancel did.
    const out = await cli('workflow', 'query', '--workflow-id', workflowId, '--type', 'status', '--output', 'json');
    expect(JSON.parse(out).queryResult[0]).toMatchObject({
      phase: 'cancelled',
      remoteCancel: { taskId: task.id, attempted: true, cancelled: true, status: 'cancelled' },
    });
  });

  it('a cancel on a running task sends no DELETE; the workflow still stops, and the details say it was rendering', async () => {
    const task = await sim.addTask({ timing: LONG });
    const workflowId = `seedance-${task.id}`;
    await start('awaitSeedanceVideo', workflowId, { taskId: task.id });
    expect(await waitingPhase(workflowId)).toMatchObject({ remoteStatus: 'processing' });
    await cli('workflow', 'signal', '--workflow-id', workflowId, '--name', 'cancel');
    const failure = await failureOf(workflowId);
    expect(failure).toContain('"type": "SeedanceWorkflowCancelled"');
    expect(failure).toContain('"cancelled": false');
    expect(failure).toContain('"status": "processing"');
    expect(deletes(task.id)).toHaveLength(0);
    expect(failure).toContain(`remote task ${task.id} was already rendering and could not be stopped`);
  });

  it('100 forged callbacks for one task cost at most a handful of status reads, and none for unknown ids', async () => {
    const task = await sim.addTask({ timing: LONG });
    const workflowId = `seedance-${task.id}`;
    await start('awaitSeedanceVideo', workflowId, { taskId: task.id });
    await waitingPhase(workflowId);
    const readsBefore = statusReads(task.id).length;

    // Unsigned (forged) callbacks claiming every final status, for the task and for ids nobody follows.
    const finals = ['succeeded', 'failed', 'expired'];
    const unknownIds = Array.from(
      { length: 20 },
      () => `cgt-20261201000000-${randomBytes(3).toString('hex').slice(0, 5)}`,
    );
    const answers = await Promise.all([
      ...Array.from({ length: 100 }, (_, i) => postCallback(callbackUrl, { id: task.id, status: finals[i % 3] })),
      ...unknownIds.map((id) => postCallback(callbackUrl, { id, status: 'succeeded' })),
    ]);
    expect(new Set(answers)).toEqual(new Set([200]));
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const forgedReads = statusReads(task.id).length - readsBefore;
    console.log(`modelark forged callbacks: 100 for one task caused ${forgedReads} status reads`);
    expect(forgedReads).toBeGreaterThanOrEqual(1);
    expect(forgedReads).toBeLessThanOrEqual(3);
    for (const id of unknownIds) expect(sim.requests.filter((r) => r.taskId === id)).toEqual([]);
    // The run goes on waiting: a hint never replaces the status read.
    expect(await waitingPhase(workflowId)).toMatchObject({ remoteStatus: 'processing' });
    await cli('workflow', 'terminate', '--workflow-id', workflowId, '--reason', 'test done');
  });

  it('100 checkNow signals straight to a waiting run (no receiver in between) cost at most three reads', async () => {
    const task = await sim.addTask({ timing: LONG });
    const workflowId = `seedance-${task.id}`;
    await start('awaitSeedanceVideo', workflowId, { taskId: task.id });
    await waitingPhase(workflowId);
    const readsBefore = statusReads(task.id).length;
    const connection = await Connection.connect({ address: server.address });
    try {
      const handle = new Client({ connection, namespace: server.namespace }).workflow.getHandle(workflowId);
      for (let i = 0; i < 100; i++) {
        await handle.signal(checkNowSignal, { source: 'callback', taskId: task.id, status: 'completed' });
      }
    } finally {
      await connection.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const reads = statusReads(task.id).length - readsBefore;
    console.log(`modelark checkNow flood: 100 signals caused ${reads} status reads`);
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(3);
    await cli('workflow', 'terminate', '--workflow-id', workflowId, '--reason', 'test done');
  });

  it('never writes the API key to the worker log', () => {
    expect(worker.log()).not.toContain(API_KEY);
  });
});
