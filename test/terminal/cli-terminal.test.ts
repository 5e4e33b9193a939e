/**
 * `seedance-temporal` in a real terminal: a pseudo-terminal (util-linux `script`) against a dev
 * server, the production worker as its own process, and the simulator. The first wait of a
 * generate is a 30 s timer (the schedule of a 480p task); the test cuts it short with `checkNow`,
 * as an impatient operator would, once the command has drawn it. Its own suite (`npm run test:cli`):
 * about a minute of real time.
 */
import { execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNowSignal, statusQuery } from '../../src/contract/definitions';
import { ExitCode } from '../../src/cli/exit-codes';
import { createSimulator, type Simulator } from '../../src/simulator';
import { createDevServerForTest, type TestDevServer } from '../helpers/temporal';
import { runInTerminal, runWithPipes, screenLines } from '../helpers/terminal';
import { sleep, until } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const API_KEY = 'sk-cli-terminal-SECRET-0a1b2c3d';
const TASK_QUEUE = 'cli-videos';
const MODEL = 'seedance_1_5_pro_480p';
/** The simulator's tasks created through the API: queued for a moment, rendering for a second. */
const TIMING = { queuedMs: 300, renderMs: 1_200 };
const VIDEO_BYTES_PER_SECOND = 50_000;

let server: TestDevServer;
let sim: Simulator;
let worker: WorkerProcess;
let connection: Connection;
let client: Client;
let outputDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  execFileSync('script', ['--version']); // util-linux script, for the pseudo-terminal
  [server, sim] = await Promise.all([
    createDevServerForTest(),
    createSimulator({ apiKey: API_KEY, timingFor: () => TIMING }),
  ]);
  outputDir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-cli-terminal-'));
  env = { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace, TEMPORAL_TASK_QUEUE: TASK_QUEUE };
  [worker, connection] = await Promise.all([
    startWorkerProcess({
      ...env,
      SEEDANCE_API_KEY: API_KEY,
      SEEDANCE_BASE_URL: sim.url,
      SEEDANCE_OUTPUT: outputDir,
      SEEDANCE_ALLOW_PRIVATE_URLS: 'true',
    }),
    Connection.connect({ address: server.address }),
  ]);
  client = new Client({ connection, namespace: server.namespace });
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await connection?.close();
  await sim?.close();
  await server?.dispose();
  if (outputDir) await fs.rm(outputDir, { recursive: true, force: true });
});

/** The task id the workflow's `status` query names, once it has one. */
function taskIdOf(workflowId: string): Promise<string> {
  const handle = client.workflow.getHandle(workflowId);
  return until(
    async () => (await handle.query(statusQuery).catch(() => undefined))?.taskId ?? undefined,
    20_000,
    'the task id',
    200,
  );
}

/** Once the workflow has a task and the simulator has rendered it, `checkNow` ends the wait. */
async function checkNowWhenRendered(workflowId: string): Promise<string> {
  const handle = client.workflow.getHandle(workflowId);
  const taskId = await taskIdOf(workflowId);
  await sleep(TIMING.queuedMs + TIMING.renderMs + 200);
  await handle.signal(checkNowSignal);
  return taskId;
}

describe('seedance-temporal in a terminal', () => {
  it('generate --wait draws a live progress line in place and ends with the file path, sha256 and exit 0', async () => {
    sim.inject({ kind: 'throttle', bytesPerSecond: VIDEO_BYTES_PER_SECOND });
    const workflowId = `cli-fox-${Date.now()}`;
    const started = Date.now();
    const cli = runInTerminal(['generate', 'a red fox', '--wait', '--model', MODEL, '--workflow-id', workflowId], env);
    await cli.waitFor(/waiting · remote \w+ · \d+ checks? · next check in \d+ s/);
    const taskId = await checkNowWhenRendered(workflowId);
    const code = await cli.exited;
    const output = cli.output();
    const lines = screenLines(output);
    expect(code, output).toBe(ExitCode.Ok);
    // Redrawn in place: carriage return and clear-line, not a new line per state.
    expect(output).toContain('\r\x1b[2K');
    const progress = [...new Set(lines.filter((line) => line.startsWith(`${taskId} · `)))];
    expect(
      progress.some((l) => /· waiting · remote (queued|processing) · \d+ checks? · next check in \d+ s$/.test(l)),
    ).toBe(true);
    const bars = progress.filter((l) =>
      /· downloading · remote completed · \d+ checks? · \[[#-]{20}\] +\d+% .+ \/ 173\.2 KiB$/.test(l),
    );
    const percents = new Set(bars.map((l) => Number(/(\d+)%/.exec(l)![1])));
    expect(
      [...percents].some((p) => p > 0 && p < 100),
      progress.join('\n'),
    ).toBe(true);
    const file = path.join(outputDir, `${taskId}.mp4`);
    expect(lines.slice(-2)).toEqual([file, `sha256 ${sim.videoSha256}`]);
    expect((await fs.stat(file)).size).toBe(sim.video.length);
    expect(output).not.toContain(API_KEY);
    console.log(
      `generate --wait in a pty: ${Date.now() - started} ms, ${progress.length} distinct progress lines:\n${progress.join('\n')}`,
    );
  });

  it('a task the provider fails exits 3 (SeedanceTaskFailed); --json prints one object that parses', async () => {
    const workflowId = `cli-doomed-${Date.now()}`;
    const cli = runInTerminal(
      ['generate', 'a doomed fox', '--wait', '--json', '-m', MODEL, '--workflow-id', workflowId],
      env,
    );
    const taskId = await taskIdOf(workflowId);
    sim.setOutcome(taskId, 'failed', 'the prompt was refused by moderation');
    await checkNowWhenRendered(workflowId);
    const code = await cli.exited;
    const output = cli.output().trim();
    expect(code, output).toBe(ExitCode.TaskFailed);
    expect(JSON.parse(output)).toEqual({
      ok: false,
      exitCode: ExitCode.TaskFailed,
      workflowId,
      error: { type: 'SeedanceTaskFailed', message: expect.stringContaining('the prompt was refused by moderation') },
    });
  });

  it('await follows an existing task with plain progress lines off a terminal, and --json gives the stored file', async () => {
    const task = await sim.addTask({ model: MODEL, timing: { queuedMs: 0, renderMs: 0 } });
    const plain = runWithPipes(['await', task.id, '--file-name', 'awaited.mp4'], env);
    expect(await plain.exited, plain.output()).toBe(ExitCode.Ok);
    expect(plain.output()).not.toContain('\r');
    expect(plain.stdout().trim().split('\n').slice(-2)).toEqual([
      path.join(outputDir, 'awaited.mp4'),
      `sha256 ${sim.videoSha256}`,
    ]);

    const again = runWithPipes(['await', task.id, '--json'], env);
    expect(await again.exited).toBe(ExitCode.Ok);
    const result = JSON.parse(again.stdout());
    expect(result).toMatchObject({ ok: true, workflowId: `seedance-${task.id}`, taskId: task.id, status: 'completed' });
    expect(result.video.sha256).toBe(sim.videoSha256);
  });

  it('status, list and cancel find a generated video by its task id; await then exits 4 (cancelled)', async () => {
    const workflowId = `cli-long-${Date.now()}`;
    const started = runWithPipes(['generate', 'a slow fox', '-m', MODEL, '--workflow-id', workflowId, '--json'], env);
    expect(await started.exited, started.output()).toBe(ExitCode.Ok);
    expect(JSON.parse(started.stdout())).toMatchObject({ ok: true, workflowId, taskQueue: TASK_QUEUE });
    const taskId = await taskIdOf(workflowId);
    sim.setOutcome(taskId, 'completed');
    // SeedanceTaskId is in visibility a moment after the upsert.
    await until(
      async () => (await client.workflow.count(`SeedanceTaskId = '${taskId}'`)).count > 0,
      20_000,
      'visibility',
      200,
    );

    const status = runWithPipes(['status', taskId, '--json'], env);
    expect(await status.exited, status.output()).toBe(ExitCode.Ok);
    expect(JSON.parse(status.stdout())).toMatchObject({
      ok: true,
      workflowId,
      type: 'generateSeedanceVideo',
      status: 'RUNNING',
      progress: { phase: 'waiting', taskId, model: MODEL, remoteStatus: expect.stringMatching(/queued|processing/) },
    });

    const list = runWithPipes(['list', '--running', '--json'], env);
    expect(await list.exited).toBe(ExitCode.Ok);
    expect(JSON.parse(list.stdout()).workflows).toContainEqual(
      expect.objectContaining({ workflowId, type: 'generateSeedanceVideo', status: 'RUNNING', taskId, model: MODEL }),
    );

    const cancel = runWithPipes(['cancel', taskId, '--reason', 'not needed'], env);
    expect(await cancel.exited, cancel.output()).toBe(ExitCode.Ok);
    expect(cancel.stdout()).toContain(`Cancel sent to ${workflowId}`);
    const awaited = runWithPipes(['await', taskId], env);
    expect(await awaited.exited, awaited.output()).toBe(ExitCode.Cancelled);
    expect(awaited.output()).toContain('cancelled by signal: not needed');
  });

  it('batch --wait runs a file of prompts at most 2 at once, draws its counts, lists every item, and exits 9 for one failure', async () => {
    const file = path.join(outputDir, 'prompts.json');
    const prompts = ['a red fox', 'a doomed fox', { prompt: 'a grey wolf', fileName: 'wolf.mp4' }];
    await fs.writeFile(file, JSON.stringify(prompts));
    const workflowId = `cli-batch-${Date.now()}`;
    const cli = runInTerminal(
      ['batch', file, '--wait', '-m', MODEL, '--max-concurrent', '2', '--workflow-id', workflowId],
      env,
    );
    // Each child's first wait is the schedule's timer: cut it short once the simulator has rendered it.
    const checked = new Set<number>();
    let mostAtOnce = 0;
    const drive = (async () => {
      const seen = new Map<number, number>();
      while (checked.size < prompts.length) {
        let running = 0;
        for (let index = 0; index < prompts.length; index++) {
          const child = client.workflow.getHandle(`${workflowId}/item-${index}`);
          const status = await child.query(statusQuery).catch(() => undefined);
          if (!status || status.phase === 'completed' || status.phase === 'failed') continue;
          running += 1;
          if (!status.taskId || status.phase !== 'waiting' || checked.has(index)) continue;
          if (!seen.has(index)) {
            seen.set(index, Date.now());
            if (index === 1) sim.setOutcome(status.taskId, 'failed', 'refused by moderation');
          }
          if (Date.now() - seen.get(index)! > TIMING.queuedMs + TIMING.renderMs + 200) {
            await child.signal(checkNowSignal);
            checked.add(index);
          }
        }
        mostAtOnce = Math.max(mostAtOnce, running);
        await sleep(300);
      }
    })();
    const code = await cli.exited;
    await drive;
    const lines = screenLines(cli.output());
    expect(code, cli.output()).toBe(ExitCode.BatchIncomplete);
    expect(mostAtOnce).toBeLessThanOrEqual(2);
    const counts = [...new Set(lines.filter((line) => line.startsWith('batch ')))];
    expect(
      counts.some((l) => /^batch 0\/3 done · 0 stored · 2 running · 1 pending · at most 2 at once$/.test(l)),
      counts.join('\n'),
    ).toBe(true);
    expect(counts.at(-1)).toBe('batch 3/3 done · 2 stored · 0 running · 0 pending · 1 failed · at most 2 at once');
    expect(lines).toContain(`#2 ${path.join(outputDir, 'wolf.mp4')}`);
    expect(lines.find((l) => l.startsWith('#1 failed: '))).toMatch(/refused by moderation \[SeedanceTaskFailed\]$/);
    expect(lines.at(-1)).toBe('2 stored, 1 failed, 0 cancelled of 3');
    console.log(`batch --wait in a pty, distinct count lines:\n${counts.join('\n')}`);
  });

  it('an unknown task exits 6, bad input 2 (nothing started), an unreachable Temporal 7', async () => {
    const missing = runWithPipes(['status', 'video_nosuchtask'], env);
    const badModel = runWithPipes(['generate', 'a fox', '--model', 'seedance_9'], env);
    const unreachable = runWithPipes(['list', '--address', '127.0.0.1:1'], env);
    expect(await missing.exited).toBe(ExitCode.NotFound);
    expect(await badModel.exited).toBe(ExitCode.Usage);
    expect(badModel.output()).toContain('unknown model "seedance_9"');
    expect(await unreachable.exited).toBe(ExitCode.Connection);
    expect(unreachable.output()).toContain('cannot connect to Temporal at 127.0.0.1:1');
  });

  it('exits 141 and prints nothing more when the reader of its output went away (| head)', async () => {
    const child = spawn(process.execPath, [path.resolve(__dirname, '../../dist/cli/main.js'), '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the reader is gone before the command writes: its first write gets EPIPE
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(ExitCode.ReaderGone);
    expect(stderr).toBe('');
  });
});
