/**
 * The README's operator recipes, for real: a dev server, the simulator, `npm run worker`'s worker
 * as a separate process configured by its environment, and the `temporal` CLI binary driving it.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/simulator';
import { freePort } from '../../src/testing/ports';
import { statusRequests } from '../helpers/requests';
import { createDevServerForTest, type TestDevServer } from '../helpers/temporal';
import { until } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

/** Each probe runs the `temporal` CLI: poll at a pace that leaves the two cores to the server and worker. */
const CLI_POLL_MS = 250;

const API_KEY = 'sk-live-integration-SECRET-9f8e7d6c5b4a';
const MINUTE = 60_000;

let server: TestDevServer;
let sim: Simulator;
let worker: WorkerProcess;
let outputDir: string;
let metricsAddress: string;

beforeAll(async () => {
  [server, sim] = await Promise.all([createDevServerForTest(), createSimulator({ apiKey: API_KEY })]);
  outputDir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-cli-'));
  metricsAddress = `127.0.0.1:${await freePort()}`;
  worker = await startWorkerProcess({
    SEEDANCE_PROMETHEUS_ADDRESS: metricsAddress,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    SEEDANCE_API_KEY: API_KEY,
    SEEDANCE_BASE_URL: sim.url,
    SEEDANCE_OUTPUT: outputDir,
    SEEDANCE_ALLOW_PRIVATE_URLS: 'true',
  });
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

describe('operating the workflows with the temporal CLI', () => {
  it('starts awaitSeedanceVideo by CLI and completes with the documented result and the served bytes', async () => {
    const task = await sim.addTask({
      model: 'seedance_1_5_pro_720p',
      createdMs: Date.now() - 10 * MINUTE,
      actualDuration: 5,
    });
    const workflowId = `seedance-${task.id}`;
    await cli(
      'workflow',
      'start',
      '--type',
      'awaitSeedanceVideo',
      '--task-queue',
      'seedance-video',
      '--workflow-id',
      workflowId,
      '--input',
      JSON.stringify({ taskId: task.id }),
    );
    const out = await cli('workflow', 'result', '--workflow-id', workflowId, '--output', 'json');
    const result = JSON.parse(out).result as {
      taskId: string;
      model: string;
      status: string;
      actualDuration: number;
      checks: number;
      video: { uri: string; bytes: number; sha256: string };
    };
    expect(result).toMatchObject({
      taskId: task.id,
      model: 'seedance_1_5_pro_720p',
      status: 'completed',
      actualDuration: 5,
      checks: 1,
    });
    const bytes = await fs.readFile(fileURLToPath(result.video.uri));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sim.videoSha256);
    expect(result.video).toMatchObject({ bytes: bytes.length, sha256: sim.videoSha256 });

    // The history holds neither the API key nor the signed URL.
    const history = await cli('workflow', 'show', '--workflow-id', workflowId, '--output', 'json');
    expect(history).not.toContain(API_KEY);
    expect(history).not.toMatch(/sig=|\/files\//);
  });

  it('answers status queries, lists by SeedanceStatus, and stops on the cancel signal with no later status request', async () => {
    const task = await sim.addTask({ model: 'seedance_1_5_pro_480p', timing: { queuedMs: 0, renderMs: 60 * MINUTE } });
    const workflowId = `seedance-${task.id}`;
    await cli(
      'workflow',
      'start',
      '--type',
      'awaitSeedanceVideo',
      '--task-queue',
      'seedance-video',
      '--workflow-id',
      workflowId,
      '--input',
      JSON.stringify({ taskId: task.id }),
    );

    const status = await until(
      async () => {
        const out = await cli('workflow', 'query', '--workflow-id', workflowId, '--type', 'status', '--output', 'json');
        const parsed = JSON.parse(out) as {
          queryResult: Array<{ phase: string; remoteStatus: string; checks: number; nextCheckAt: string }>;
        };
        const value = parsed.queryResult[0]!;
        return value.phase === 'waiting' ? value : undefined;
      },
      20_000,
      'the waiting phase',
      CLI_POLL_MS,
    );
    expect(status).toMatchObject({ phase: 'waiting', remoteStatus: 'processing', checks: 1 });
    expect(Date.parse(status.nextCheckAt)).toBeGreaterThan(Date.now());

    const listed = await until(
      async () => {
        const query = `SeedanceStatus='processing' AND SeedanceTaskId='${task.id}'`;
        const out = await cli('workflow', 'list', '--query', query, '--output', 'json');
        return out.includes(workflowId) ? out : undefined;
      },
      20_000,
      'the workflow listed as processing',
      CLI_POLL_MS,
    );
    expect(listed).toContain(workflowId);

    const signalledAt = Date.now();
    await cli(
      'workflow',
      'signal',
      '--workflow-id',
      workflowId,
      '--name',
      'cancel',
      '--input',
      JSON.stringify({ reason: 'not needed any more' }),
    );
    const described = await until(
      async () => {
        const out = await cli('workflow', 'describe', '--workflow-id', workflowId, '--output', 'json');
        return out.includes('"WORKFLOW_EXECUTION_STATUS_FAILED"') ? out : undefined;
      },
      10_000,
      'the workflow failed',
      CLI_POLL_MS,
    );
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    expect(described).toContain('SeedanceWorkflowCancelled');
    expect(described).toContain('not needed any more');
    const lateChecks = statusRequests(sim, task.id).filter((r) => r.at > signalledAt);
    expect(lateChecks).toEqual([]);
    expect(await fs.readdir(outputDir)).not.toContain(`${task.id}.mp4`);
  });

  it('runs examples/batch.json started with temporal workflow start --input-file, as the README says', async () => {
    const workflowId = `batch-example-${process.pid}`;
    const example = path.join(__dirname, '..', '..', 'examples', 'batch.json');
    const items = (JSON.parse(await fs.readFile(example, 'utf8')) as { items: unknown[] }).items;
    await cli(
      'workflow',
      'start',
      '--type',
      'generateSeedanceVideos',
      '--task-queue',
      'seedance-video',
      '--workflow-id',
      workflowId,
      '--input-file',
      example,
    );
    const batchStatus = async () => {
      const out = await cli(
        'workflow',
        'query',
        '--workflow-id',
        workflowId,
        '--type',
        'batchStatus',
        '--output',
        'json',
      );
      return (JSON.parse(out) as { queryResult: [{ counts: Record<string, number> }] }).queryResult[0];
    };
    await until(
      async () => (await batchStatus()).counts.running === items.length,
      20_000,
      'all items running',
      CLI_POLL_MS,
    );
    // Each child waits 30 s for its first check (480p); the simulator's tasks end in 3 s. Once they
    // have, an operator's checkNow makes each child check at once.
    const children = items.map((_, i) => `${workflowId}/item-${i}`);
    for (const child of children) {
      await until(
        async () => {
          const out = await cli('workflow', 'query', '--workflow-id', child, '--type', 'status', '--output', 'json');
          const { phase, taskId } = (JSON.parse(out) as { queryResult: [{ phase: string; taskId: string }] })
            .queryResult[0];
          const task = phase === 'waiting' ? sim.getTask(taskId) : undefined;
          return task !== undefined && Date.now() > task.createdMs + task.timing.queuedMs + task.timing.renderMs;
        },
        20_000,
        `${child} waiting on a finished task`,
        CLI_POLL_MS,
      );
      await cli('workflow', 'signal', '--workflow-id', child, '--name', 'checkNow');
    }

    const out = await cli('workflow', 'result', '--workflow-id', workflowId, '--output', 'json');
    const result = JSON.parse(out).result as {
      total: number;
      completed: number;
      items: Array<{ index: number; phase: string; result: { video: { uri: string; sha256: string } } }>;
    };
    expect(result).toMatchObject({ total: 3, completed: 3, failed: 0, cancelled: 0 });
    expect(result.items.map((o) => o.phase)).toEqual(['completed', 'completed', 'completed']);
    expect(result.items[0]!.result.video.uri).toMatch(/\/red-fox\.mp4$/);
    for (const item of result.items) expect(item.result.video.sha256).toBe(sim.videoSha256);
    expect((await batchStatus()).counts).toEqual({ pending: 0, running: 0, completed: 3, failed: 0, cancelled: 0 });
    // The child's static summary and details, as the Web UI shows them.
    const described = JSON.parse(
      await cli('workflow', 'describe', '--workflow-id', children[0]!, '--output', 'json'),
    ) as { executionConfig?: { userMetadata?: { summary?: string; details?: string } } };
    const summary = described.executionConfig?.userMetadata?.summary;
    expect(described.executionConfig?.userMetadata?.details).toContain(`- Batch: \`${workflowId}\`, item 0 (1 of 3)`);
    expect(summary).toContain('Seedance 480p: a red fox running through fresh snow at');
  });

  it('fails at once with SeedanceTaskNotFound for an unknown task id', async () => {
    const workflowId = 'seedance-video_does_not_exist';
    await cli(
      'workflow',
      'start',
      '--type',
      'awaitSeedanceVideo',
      '--task-queue',
      'seedance-video',
      '--workflow-id',
      workflowId,
      '--input',
      '{"taskId":"video_does_not_exist"}',
    );
    const result = await server.cli(['workflow', 'result', '--workflow-id', workflowId, '--output', 'json']);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain('"type": "SeedanceTaskNotFound"');
    expect(result.stdout).toContain('not found (HTTP 404)');
  });

  it("serves the SDK's metrics and the package's own at SEEDANCE_PROMETHEUS_ADDRESS", async () => {
    const response = await fetch(`http://${metricsAddress}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/temporal_activity_execution_latency|temporal_workflow_completed|temporal_request/);
    // Beside them, ours (all of them, with their values: npm run test:observability).
    expect(text).toMatch(/^seedance_status_checks_total\{.*status="completed"/m);
    expect(text).toMatch(/^seedance_videos_finished_total\{.*outcome="completed"/m);
    expect(text).toMatch(/^seedance_videos_in_flight\{/m);
    expect(text).not.toContain(API_KEY);
  });

  it('never writes the API key to the worker log', () => {
    expect(worker.log()).not.toContain(API_KEY);
  });
});
