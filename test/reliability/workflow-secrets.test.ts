/**
 * Scenario 25 (docs/reliability-scenarios.md), the secrets half: the API key and the signed
 * `video_url` stay out of everything Temporal stores or shows. The production worker
 * (`src/worker.ts`, its own process, logging at the SDK's default INFO level) runs every main path
 * against a dev server with the search attributes registered: completed (after a 429), remote
 * failure, 401, cancel signal, download with an expired URL re-resolved, and generate. Then every
 * history (decoded payloads, and the CLI's `workflow show` / `describe` JSON), every search
 * attribute, the `status` query answers and the worker's whole log are searched for the key and for
 * every URL signature the simulator issued.
 *
 * On either provider (test/helpers/provider.ts): ModelArk signs a task's URL once, at its
 * completion, so every read hands out the same one, and its messages name the error code too.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TASK_QUEUE } from '../../src/contract/names';
import type { AwaitSeedanceVideoInput } from '../../src/contract/types';
import { statusChanges, type AnySimulator } from '../../src/simulator';
import { statusAt } from '../../src/simulator/tasks';
import { historyText, runsOf } from '../helpers/history';
import { addTask, completedAt, createSimulatorUnderTest, onModelArk, workerApiEnv } from '../helpers/provider';
import { statusRequests } from '../helpers/requests';
import { createDevServerForTest, type TestDevServer } from '../helpers/temporal';
import { until } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { startAwait, startGenerate } from '../helpers/workflows';

const API_KEY = 'sk-live-SECRETS-TEST-7c1e5a9b3d8f2e6a';
const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE = 60_000;
/** The production worker's queue: it runs with no TEMPORAL_TASK_QUEUE set. */
const TASK_QUEUE = DEFAULT_TASK_QUEUE;

let server: TestDevServer;
let sim: AnySimulator;
let worker: WorkerProcess;
let client: Client;
let outputDir: string;
const handles: WorkflowHandleWithFirstExecutionRunId[] = [];

beforeAll(async () => {
  [server, sim] = await Promise.all([createDevServerForTest(), createSimulatorUnderTest({ apiKey: API_KEY })]);
  outputDir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-secrets-'));
  worker = await startWorkerProcess({
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    SEEDANCE_API_KEY: API_KEY,
    ...workerApiEnv(sim),
    SEEDANCE_OUTPUT: outputDir,
    SEEDANCE_ALLOW_PRIVATE_URLS: 'true',
  });
  client = new Client({
    connection: await Connection.connect({ address: server.address }),
    namespace: server.namespace,
  });
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await client?.connection.close();
  await sim?.close();
  await server?.dispose();
  if (outputDir) await fs.rm(outputDir, { recursive: true, force: true });
});

/** Starts awaitSeedanceVideo on the production worker and keeps its handle for the search. */
async function follow(input: AwaitSeedanceVideoInput): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const handle = await startAwait(client, TASK_QUEUE, input);
  handles.push(handle);
  return handle;
}

async function outcome(handle: WorkflowHandleWithFirstExecutionRunId): Promise<string> {
  return handle.result().then(
    () => 'completed',
    (error: { cause?: { type?: string; name?: string } }) => error.cause?.type ?? error.cause?.name ?? 'unknown',
  );
}

async function phase(handle: WorkflowHandleWithFirstExecutionRunId, wanted: string): Promise<void> {
  await until(async () => (await handle.query<{ phase: string }>('status').catch(() => undefined))?.phase === wanted);
}

/**
 * The `sig` of every signed URL the simulator handed out: a completed status read signs
 * `<taskId>:<arrival + 1 day>`, so each is recomputed from the request log. ModelArk signs a task's
 * URL once, `<taskId>:<completion + 24 h>`: the one URL of every task that was read completed.
 */
function issuedVideoUrls(): string[] {
  if (sim.provider === 'modelark') {
    const ark = sim;
    const read = ark.requests.filter(
      (r) => r.kind === 'status' && r.status === 200 && r.taskId && completedAt(ark, r.taskId, r.at),
    );
    return [...new Set(read.map((r) => r.taskId!))].map((taskId) => {
      const done = statusChanges(ark.getTask(taskId)!).find((c) => c.status === 'succeeded')!;
      return ark.signedVideoUrl(taskId, done.atMs + DAY_MS);
    });
  }
  const urls: string[] = [];
  const reseller = sim;
  for (const entry of reseller.requests) {
    if (entry.kind !== 'status' || entry.status !== 200 || !entry.taskId) continue;
    const task = reseller.getTask(entry.taskId);
    if (task && statusAt(task, entry.at) === 'completed')
      urls.push(reseller.signedVideoUrl(entry.taskId, entry.at + DAY_MS));
  }
  return urls;
}

describe('25: no API key and no signed URL in history, search attributes, queries or logs', () => {
  it('runs every main path through the production worker', async () => {
    const pastMs = Date.now() - 10 * MINUTE;

    const completed = await addTask(sim, { resolution: '720p', createdMs: pastMs });
    sim.inject({ target: 'status', kind: 'rateLimit', retryAfterSeconds: 1 });
    expect(await outcome(await follow({ taskId: completed.id }))).toBe('completed');

    const failed = await addTask(sim, {
      resolution: '720p',
      createdMs: pastMs,
      outcome: 'failed',
      error: 'content policy violation',
    });
    expect(await outcome(await follow({ taskId: failed.id }))).toBe('SeedanceTaskFailed');

    // The API refuses the key: the client has sent it in its Authorization header.
    const refused = await addTask(sim, { resolution: '720p', createdMs: pastMs });
    sim.inject({ target: 'status', kind: 'status', code: 401 });
    expect(await outcome(await follow({ taskId: refused.id }))).toBe('SeedanceUnauthorized');

    const cancelled = await addTask(sim, {
      resolution: '480p',
      timing: { queuedMs: 0, renderMs: 60 * MINUTE },
    });
    const cancelHandle = await follow({ taskId: cancelled.id });
    await phase(cancelHandle, 'waiting');
    await cancelHandle.signal('cancel', { reason: 'secrets test' });
    expect(await outcome(cancelHandle)).toBe('SeedanceWorkflowCancelled');

    // The first signed URL is refused by the file host: the download reads a fresh one.
    const expired = await addTask(sim, { resolution: '1080p', createdMs: pastMs });
    sim.inject({ kind: 'expired', code: 403 });
    expect(await outcome(await follow({ taskId: expired.id, fileName: 'expired.mp4' }))).toBe('completed');
    const expiredReads = statusRequests(sim, expired.id).filter((r) => r.status === 200);
    expect(expiredReads).toHaveLength(2);

    const generated = await startGenerate(
      client,
      TASK_QUEUE,
      { request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: 'a paper boat on a river' }] } },
      { workflowId: `generate-secrets-${Date.now()}` },
    );
    handles.push(generated);
    await phase(generated, 'waiting');
    const { taskId: generatedId } = await generated.query<{ taskId: string }>('status');
    await until(() => completedAt(sim, generatedId, Date.now()));
    await generated.signal('checkNow');
    expect(await outcome(generated)).toBe('completed');
    // Never the key to the file host.
    const fileRequests = sim.requests.filter((r) => r.kind === 'video');
    expect(fileRequests.length).toBeGreaterThanOrEqual(4);
    expect(fileRequests.every((r) => r.authorization === 'missing')).toBe(true);
  });

  it('finds neither the key nor any issued URL signature anywhere', async () => {
    expect(handles).toHaveLength(6);
    const urls = issuedVideoUrls();
    // completed, expired (two reads; one URL on ModelArk), generate; each recomputed URL is one the
    // file host accepts.
    expect(urls.length).toBeGreaterThanOrEqual(onModelArk ? 3 : 4);
    for (const url of urls) expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
    const signatures = urls.map((url) => new URL(url).searchParams.get('sig')!);
    expect(signatures.every((sig) => /^[0-9a-f]{64}$/.test(sig))).toBe(true);

    const places: Record<string, string> = {};
    for (const handle of handles) {
      const id = handle.workflowId;
      for (const run of await runsOf(client, id, handle.firstExecutionRunId))
        places[`history ${id} ${run.runId}`] = historyText(run.history);
      const shown = await server.cli(['workflow', 'show', '--workflow-id', id, '--output', 'json']);
      expect(shown.code).toBe(0);
      places[`temporal workflow show ${id}`] = shown.stdout;
      const described = await server.cli(['workflow', 'describe', '--workflow-id', id, '--output', 'json']);
      expect(described.code).toBe(0);
      places[`temporal workflow describe ${id}`] = described.stdout;
      const description = await handle.describe();
      places[`search attributes ${id}`] = JSON.stringify(description.typedSearchAttributes);
      places[`status query ${id}`] = JSON.stringify(await handle.query('status'));
    }
    places['worker log'] = worker.log();

    // The searches are real: the places hold the runs' data (decoded inputs, failures, attributes, log lines).
    const all = Object.values(places).join('\n');
    expect(all).toContain('content policy violation');
    expect(all).toContain(`refused the API key (HTTP 401${onModelArk ? ' Unauthorized' : ''})`);
    expect(all).toContain('secrets test');
    expect(places[`search attributes ${handles[0]!.workflowId}`]).toContain('completed');
    expect(places['worker log']).toMatch(/video URL expired or refused|task status|video stored/);

    const leaks: string[] = [];
    for (const [place, text] of Object.entries(places)) {
      if (text.includes(API_KEY)) leaks.push(`${place}: API key`);
      if (/[?&]sig=|expires=\d/.test(text)) leaks.push(`${place}: a signed URL query`);
      for (const sig of signatures) if (text.includes(sig)) leaks.push(`${place}: signature ${sig.slice(0, 8)}...`);
    }
    expect(leaks).toEqual([]);
  });
});
