/**
 * The polling benchmark (`npm run bench:polling`): how many status calls and Temporal Cloud actions
 * each strategy spends per video, and how late it notices the video is done, against the oracle.
 *
 * All strategies run at once as real workflows on Temporal's time-skipping test server, against
 * the simulator on the server's clock; each run follows its own simulator task, and the k-th task
 * of a (model, distribution) has the same completion time under every strategy. Lag is measured
 * for every strategy the same way: from the task's completion (simulator clock) to the first status
 * read that saw it completed. Calls are the simulator's logged status requests for the task.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { MAX_HEARTBEAT_THROTTLE_INTERVAL, seedanceWorkerOptions } from '../../src/create-worker';
import { SEEDANCE_MODELS, type SeedanceModel } from '../../src/seedance/models';
import { createProvider } from '../../src/seedance/create-provider';
import { createSimulator, type RequestLogEntry } from '../../src/simulator';
import type { TaskTiming } from '../../src/simulator/profiles';
import { LocalDirectoryStorage } from '../../src/storage';
import { testServerExecutable } from '../../src/testing/binaries';
import { TEST_API_KEY, quietBundlerLogger } from '../../src/testing/harness';
import { installQuietRuntime } from '../workflows';
import { countActions, type ActionCount } from './actions';
import { createBenchActivities } from './activities';
import { DISTRIBUTIONS, drawCompletionsS, type DistributionName } from './distributions';
import { HeartbeatCounter } from './heartbeats';
import { oracleFrontier, type FrontierPoint } from './oracle';
import { renderMarkdown, renderSvg, summarise, type CellResult, type RunResult } from './report';
import { selectStrategies, type Strategy } from './strategies';
import { CompletionStats } from '../../src/activities/completion-stats';

export interface PollingBenchOptions {
  /** Tasks per model and distribution (each strategy follows all of them). */
  tasks: number;
  seed: number;
  /** Comma-separated strategy names; all when empty. */
  strategies?: string | undefined;
  /** Where to write the table and the picture; nothing written when undefined. */
  outDir?: string | undefined;
  /** Draws of each distribution the oracle optimises on. */
  oracleDraws?: number;
  /** Runs in flight at once (the next batch starts when all of one have ended). */
  batch?: number | undefined;
}

/**
 * Runs in flight at once. While any work is pending the time-skipping server's clock runs at the
 * wall's rate, so a worker backlog ages every task; the report's clock check shows what it cost.
 */
const DEFAULT_BATCH = 400;

const WORKFLOWS_PATH = path.join(__dirname, 'workflows.ts');

export async function benchPolling(options: PollingBenchOptions): Promise<CellResult[]> {
  const wallStart = Date.now();
  const strategies = selectStrategies(options.strategies);
  console.log(
    `polling: ${options.tasks} tasks per model x distribution, seed ${options.seed}, strategies ${strategies.map((s) => s.name).join(', ')}`,
  );
  installQuietRuntime();
  const cells = plan(options);
  const [env, workflowBundle] = await Promise.all([
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: await testServerExecutable() } }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger }),
  ]);
  const timings = new Map<string, TaskTiming>();
  const sim = await createSimulator({
    apiKey: TEST_API_KEY,
    clock: () => env.currentTimeMs(),
    timingFor: ({ prompt }) => timings.get(prompt),
  });
  const outputDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-polling-'));
  const heartbeats = new HeartbeatCounter(2_000);
  const workers: Worker[] = [];
  let running: Promise<unknown> | undefined;
  try {
    // The production default (30 s): thousands of runs start at once, and the simulator shares their CPU.
    const provider = createProvider({
      provider: 'reseller',
      apiKey: TEST_API_KEY,
      baseUrl: sim.url,
      timeoutMs: 30_000,
    });
    const taskQueue = `bench-polling-${process.pid}`;
    const { workflowsPath, ...seedance } = seedanceWorkerOptions({
      provider,
      storage: await LocalDirectoryStorage.create(outputDir),
      download: { allowPrivateUrls: true },
      taskQueue,
      clock: () => env.currentTimeMs(),
    });
    if (seedance.maxHeartbeatThrottleInterval !== MAX_HEARTBEAT_THROTTLE_INTERVAL) throw new Error('throttle changed');
    const activities = { ...seedance.activities, ...createBenchActivities(seedance.activities) };
    const workerOptions = (queue: string, acts: typeof activities) => ({
      connection: env.nativeConnection,
      ...seedance,
      taskQueue: queue,
      activities: acts,
      workflowBundle,
      interceptors: { activity: [heartbeats.interceptor] },
      maxConcurrentActivityTaskExecutions: 200,
      maxConcurrentWorkflowTaskExecutions: 100,
    });
    workers.push(await Worker.create(workerOptions(taskQueue, activities)));
    // One worker per distribution for `ours-learned`: its workerSettings hand out what a worker that
    // had seen 500 tasks of the distribution would (the quantiles of each model's cell).
    const learnedQueue = (distribution: DistributionName) => `${taskQueue}-learned-${distribution}`;
    if (strategies.some((s) => s.learnedWorker)) {
      for (const distribution of new Set(cells.map((c) => c.distribution))) {
        const learned = Object.assign(
          {},
          ...cells.filter((c) => c.distribution === distribution).map((c) => c.learned),
        );
        const workerSettings = async () => {
          const settings = await activities.workerSettings();
          return { ...settings, schedule: { kind: 'adaptive' as const, completions: learned } };
        };
        workers.push(await Worker.create(workerOptions(learnedQueue(distribution), { ...activities, workerSettings })));
      }
    }
    // `ours` on a worker that hands out nothing learned, whatever the shared worker has seen: the
    // main worker's own completion stats learn from every distribution's tasks at once.
    const coldQueue = `${taskQueue}-cold`;
    if (strategies.some((s) => s.coldWorker)) {
      const workerSettings = async () => {
        const settings = await activities.workerSettings();
        return { ...settings, schedule: { kind: 'adaptive' as const, completions: {} } };
      };
      workers.push(await Worker.create(workerOptions(coldQueue, { ...activities, workerSettings })));
    }
    running = Promise.all(workers.map((w) => w.run()));
    const client = new Client({ connection: env.connection });
    const queues = { main: taskQueue, cold: coldQueue, learned: learnedQueue };
    const jobs = planJobs(cells, strategies);
    const batch = options.batch ?? DEFAULT_BATCH;
    const runs: StartedRun[] = [];
    // At most `batch` runs in flight: the server's clock runs at the wall's rate while any work is
    // pending, so a backlog on the worker counts as simulated time (see docs/benchmarks.md).
    for (let from = 0; from < jobs.length; from += batch) {
      const started = await startAll(client, sim, queues, jobs.slice(from, from + batch), options.seed, timings);
      console.log(
        `polling: batch ${from / batch + 1}/${Math.ceil(jobs.length / batch)}, ${started.length} workflows started at ${((Date.now() - wallStart) / 1000).toFixed(0)} s`,
      );
      await waitForAll(env, started);
      runs.push(...started);
    }
    resolveCreated(sim, runs);
    const results = await measure(client, sim.requests, runs, heartbeats);
    const summary = summarise(results, strategies, cells, frontiers(cells, options));
    const seconds = (Date.now() - wallStart) / 1000;
    const markdown = renderMarkdown(summary, strategies, {
      tasks: options.tasks,
      seed: options.seed,
      seconds,
      command: commandLine(options),
    });
    console.log(markdown);
    if (options.outDir) {
      await fs.mkdir(options.outDir, { recursive: true });
      await fs.writeFile(path.join(options.outDir, 'polling.md'), markdown);
      await fs.writeFile(path.join(options.outDir, 'polling.svg'), renderSvg(summary, strategies));
      console.log(`polling: wrote ${path.join(options.outDir, 'polling.md')} and polling.svg`);
    }
    console.log(`polling: ${seconds.toFixed(0)} s wall time`);
    return summary;
  } finally {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => undefined);
    await sim.close();
    await env.teardown();
    await fs.rm(outputDir, { recursive: true, force: true });
  }
}

export interface Cell {
  model: SeedanceModel;
  distribution: DistributionName;
  completionsS: number[];
  /** The seed of this cell's draws (the oracle's law uses another stream of the same law). */
  seed: number;
  /**
   * What a worker with `SEEDANCE_SCHEDULE=adaptive` would hand a run after it saw 200 other tasks of
   * this distribution: their quantiles under the model's `completionKey`.
   */
  learned: Record<string, number[]>;
}

function plan(options: PollingBenchOptions): Cell[] {
  const cells: Cell[] = [];
  SEEDANCE_MODELS.forEach((model, m) =>
    DISTRIBUTIONS.forEach((distribution, d) => {
      const seed = (options.seed + 1_000 * m + 100 * d) >>> 0;
      cells.push({
        model,
        distribution,
        seed,
        completionsS: drawCompletionsS(model, distribution, options.tasks, seed),
        learned: learnedQuantiles(model, drawCompletionsS(model, distribution, 500, seed ^ 0x2545f491)),
      });
    }),
  );
  return cells;
}

/** The quantiles `CompletionStats` would hand out after seeing these completions (in seconds). */
function learnedQuantiles(model: SeedanceModel, completionsS: number[]): Record<string, number[]> {
  const stats = new CompletionStats({ capacity: completionsS.length, minSamples: 1 });
  completionsS.forEach((s, i) => stats.record({ taskId: `learned-${i}`, model }, Math.round(s * 1000)));
  return stats.quantiles();
}

function frontiers(cells: Cell[], options: PollingBenchOptions): Map<Cell, FrontierPoint[]> {
  const out = new Map<Cell, FrontierPoint[]>();
  for (const cell of cells) {
    const law = drawCompletionsS(cell.model, cell.distribution, options.oracleDraws ?? 20_000, cell.seed ^ 0x5bd1e995);
    out.set(cell, oracleFrontier(law, cell.completionsS));
  }
  return out;
}

export interface StartedRun {
  cell: Cell;
  strategy: Strategy;
  index: number;
  /** The followed task; for a strategy that creates its task, known once the run has created it. */
  taskId: string;
  /** Simulator clock when the task completes (likewise). */
  completionMs: number;
  /** The prompt a creating strategy sent: the simulator timed its task by it. */
  prompt: string;
  totalMs: number;
  handle: WorkflowHandle;
}

interface Job {
  cell: Cell;
  c: number;
  strategy: Strategy;
  s: number;
  index: number;
  completionS: number;
}

/** Every (cell, strategy, task), interleaved so that each batch holds every strategy and cell alike. */
function planJobs(cells: Cell[], strategies: Strategy[]): Job[] {
  const jobs = cells.flatMap((cell, c) =>
    strategies.flatMap((strategy, s) =>
      cell.completionsS.map((completionS, index) => ({ cell, c, strategy, s, index, completionS })),
    ),
  );
  jobs.sort((a, b) => a.index - b.index || a.c - b.c || a.s - b.s);
  return jobs;
}

async function startAll(
  client: Client,
  sim: Awaited<ReturnType<typeof createSimulator>>,
  queues: { main: string; cold: string; learned: (distribution: DistributionName) => string },
  jobs: Job[],
  seed: number,
  timings: Map<string, TaskTiming>,
): Promise<StartedRun[]> {
  const stamp = Date.now().toString(36);
  return mapLimit(jobs, 32, async ({ cell, c, strategy, s, index, completionS }) => {
    const totalMs = Math.round(completionS * 1000);
    const queuedMs = Math.round(totalMs * 0.15);
    const timing = { queuedMs, renderMs: totalMs - queuedMs };
    const key = `b${seed}_${stamp}_${c}_${s}_${index}`;
    const prompt = `bench task ${key}`;
    let taskId = '';
    let createdMs = Number.NaN;
    if (strategy.creates) timings.set(prompt, timing);
    else {
      const task = await sim.addTask({ id: `video_${key}`, model: cell.model, timing });
      taskId = task.id;
      createdMs = task.createdMs;
    }
    const handle = await client.workflow.start(strategy.workflowType, {
      taskQueue: strategy.learnedWorker
        ? queues.learned(cell.distribution)
        : strategy.coldWorker
          ? queues.cold
          : queues.main,
      workflowId: `bench-polling-${key}`,
      args: strategy.args({ taskId, model: cell.model, createdMs, prompt, learned: cell.learned }),
    });
    return { cell, strategy, index, taskId, completionMs: createdMs + totalMs, prompt, totalMs, handle };
  });
}

/** The task each creating run made (by its prompt, from the simulator's log) and when it completed. */
function resolveCreated(sim: Awaited<ReturnType<typeof createSimulator>>, runs: StartedRun[]): void {
  const byPrompt = new Map<string, string>();
  for (const r of sim.requests) {
    const text = r.kind === 'create' ? r.createRequest?.content.find((i) => i.type === 'text')?.text : undefined;
    if (text && r.taskId) byPrompt.set(text, r.taskId);
  }
  for (const run of runs) {
    if (!run.strategy.creates) continue;
    const taskId = byPrompt.get(run.prompt);
    const task = taskId ? sim.getTask(taskId) : undefined;
    if (!taskId || !task) throw new Error(`${run.handle.workflowId}: created no task`);
    run.taskId = taskId;
    run.completionMs = task.createdMs + run.totalMs;
  }
}

/** Lets the server skip time until every run has ended, printing progress in simulated time. */
async function waitForAll(env: TestWorkflowEnvironment, runs: StartedRun[]): Promise<void> {
  const testService = env.connection.testService;
  if (!testService) throw new Error('not a time-skipping environment');
  const startedAt = await env.currentTimeMs();
  let done = 0;
  const progress = setInterval(() => {
    void env
      .currentTimeMs()
      .then((now) =>
        console.log(
          `polling: ${done}/${runs.length} runs ended, ${((now - startedAt) / 60_000).toFixed(1)} simulated min`,
        ),
      );
  }, 15_000);
  await testService.unlockTimeSkipping({});
  try {
    await mapLimit(runs, 500, async (run) => {
      await run.handle.result();
      done += 1;
    });
  } finally {
    clearInterval(progress);
    await testService.lockTimeSkipping({});
  }
}

async function measure(
  client: Client,
  requests: RequestLogEntry[],
  runs: StartedRun[],
  heartbeats: HeartbeatCounter,
): Promise<RunResult[]> {
  const statusAt = new Map<string, number[]>();
  for (const r of requests) {
    if (r.kind !== 'status' || !r.taskId) continue;
    const list = statusAt.get(r.taskId) ?? [];
    list.push(r.at);
    statusAt.set(r.taskId, list);
  }
  return mapLimit(runs, 16, async (run) => {
    const history = await client.workflow.getHandle(run.handle.workflowId).fetchHistory();
    const events = history.events ?? [];
    const reads = (statusAt.get(run.taskId) ?? []).sort((a, b) => a - b);
    const detectedAt = reads.find((at) => at >= run.completionMs);
    if (detectedAt === undefined) throw new Error(`${run.handle.workflowId}: no status read after completion`);
    const download = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'downloadVideo');
    const actions: ActionCount = countActions(events);
    const beats = heartbeats.byWorkflow.get(run.handle.workflowId) ?? { calls: 0, sent: 0 };
    return {
      run,
      calls: reads.length,
      lagMs: detectedAt - run.completionMs,
      downloadLagMs: download ? eventTimeMs(download) - run.completionMs : undefined,
      events: events.length,
      actions,
      heartbeats: beats,
    };
  });
}

function eventTimeMs(event: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }): number {
  return Number(event.eventTime?.seconds ?? 0) * 1000 + Math.round((event.eventTime?.nanos ?? 0) / 1e6);
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

function commandLine(options: PollingBenchOptions): string {
  const env = [`BENCH_POLL_TASKS=${options.tasks}`, `BENCH_POLL_SEED=${options.seed}`];
  if (options.batch) env.push(`BENCH_POLL_BATCH=${options.batch}`);
  if (options.strategies) env.push(`BENCH_POLL_STRATEGIES=${options.strategies}`);
  return `${env.join(' ')} npm run bench:polling`;
}
