/**
 * One API budget for a fleet (SEEDANCE_API_RPS): three production worker processes on one dev
 * server, each with its own output directory, cwd and TMPDIR, share `<taskQueue>-api`, whose activity rate
 * Temporal limits for the whole queue. The simulator's request log is the oracle: every API call
 * runs on the budgeted queue, no one-second window carries more than the budget (also right after
 * the idle start, when Temporal's token bucket is full), and every video arrives.
 * `BUDGET_WORKFLOWS` sets how many videos (default 30; e.g. 300 for a longer run).
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiQueueRateLimit } from '../../src/activities/api-budget';
import { startGenerateSeedanceVideo, startSeedanceVideo } from '../../src/client';
import { createSimulator, type Simulator } from '../../src/simulator';
import { createMachines, type Machines } from '../helpers/machines';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { createDevServerForTest, type TestDevServer } from '../helpers/temporal';
import { until } from '../helpers/wait';
import { readyTask } from '../helpers/workflows';

const KEY = 'sk-budget-0123456789abcdef';
const RPS = 5;
const WORKFLOWS = Number(process.env.BUDGET_WORKFLOWS ?? 30);
const GENERATES = Math.max(1, Math.round(WORKFLOWS / 10));
const taskQueue = `budget-${process.pid}`;

let server: TestDevServer;
let sim: Simulator;
let client: Client;
const workers: WorkerProcess[] = [];
let machines: Machines;

beforeAll(async () => {
  [server, sim] = await Promise.all([createDevServerForTest(), createSimulator({ apiKey: KEY, profile: 'fast' })]);
  client = new Client({ connection: await Connection.connect({ address: server.address }) });
  machines = await createMachines();
  // Three production worker processes, as on three machines: each its own output, cwd and TMPDIR.
  for (let i = 0; i < 3; i++) {
    const machine = await machines.add(`machine-${i}`);
    workers.push(
      await startWorkerProcess(
        {
          TEMPORAL_ADDRESS: server.address,
          TEMPORAL_TASK_QUEUE: taskQueue,
          SEEDANCE_API_KEY: KEY,
          SEEDANCE_BASE_URL: sim.url,
          SEEDANCE_OUTPUT: path.join(machine.cwd, 'videos'),
          SEEDANCE_ALLOW_PRIVATE_URLS: 'true',
          SEEDANCE_SHUTDOWN_GRACE_MS: '1000',
          SEEDANCE_API_RPS: String(RPS),
          // The budget is under test, not the schedule: the documented one checks a new 480p task
          // first at its earliest finish (30 s), the adaptive one an interval later.
          SEEDANCE_SCHEDULE: 'documented',
          ...machine.env,
        },
        120_000,
        { cwd: machine.cwd },
      ),
    );
  }
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.kill('SIGTERM')));
  await client?.connection.close();
  await sim?.close();
  await server?.dispose();
  await machines?.remove();
});

/** The most requests that arrived within any window of `windowMs` (times sorted). */
function busiestWindow(sorted: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** The requests of the busiest window, as (ms from the window's start, kind). */
function busiestSpan(requests: { at: number; kind: string }[], windowMs: number): string[] {
  const sorted = [...requests].sort((a, b) => a.at - b.at);
  let best: typeof sorted = [];
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]!.at - sorted[j]!.at >= windowMs) j++;
    if (i - j + 1 > best.length) best = sorted.slice(j, i + 1);
  }
  return best.map((r) => `${r.at - best[0]!.at} ${r.kind}`);
}

describe('SEEDANCE_API_RPS across three workers', () => {
  it(`keeps ${WORKFLOWS} videos within ${RPS} API requests in any second, and every video arrives`, async () => {
    const awaits = await Promise.all(
      Array.from({ length: WORKFLOWS - GENERATES }, async (_, i) => {
        const { taskId } = await readyTask(sim, `budget${i}`);
        return startSeedanceVideo(client, { taskId }, { taskQueue });
      }),
    );
    const generates = await Promise.all(
      Array.from({ length: GENERATES }, (_, i) =>
        startGenerateSeedanceVideo(
          client,
          { request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: `budget video ${i}` }] } },
          { taskQueue, workflowId: `budget-generate-${process.pid}-${i}` },
        ),
      ),
    );
    const results = await Promise.all([...awaits, ...generates].map((handle) => handle.result()));
    expect(results.every((r) => r.status === 'completed' && r.video.bytes === sim.video.length)).toBe(true);

    const api = sim.requests.filter((r) => r.kind === 'status' || r.kind === 'create');
    const times = api.map((r) => r.at).sort((a, b) => a - b);
    const spanS = (times.at(-1)! - times[0]!) / 1000;
    const busiest = busiestWindow(times, 1_000);
    const busiest5 = busiestWindow(times, 5_000);
    console.info(
      `api budget: ${api.length} API requests for ${WORKFLOWS} videos over ${spanS.toFixed(1)} s; ` +
        `busiest 1 s window ${busiest}, busiest 5 s window ${busiest5} (budget ${RPS}/s)`,
    );
    if (busiest > RPS + 1) console.info(`api budget: busiest second ${JSON.stringify(busiestSpan(api, 1_000))}`);
    expect(sim.createCount()).toBe(GENERATES);
    // Every call that reaches the API ran on the budgeted queue.
    const history = await awaits[0]!.fetchHistory();
    const queues = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => a?.activityType?.name === 'checkStatus' || a?.activityType?.name === 'downloadVideo')
      .map((a) => a!.taskQueue?.name);
    expect(queues.length).toBeGreaterThanOrEqual(2);
    expect(new Set(queues)).toEqual(new Set([`${taskQueue}-api`]));
    // No second carries more than the budget, the first one after the idle start included (one
    // more allowed for window edges: the simulator stamps arrivals, Temporal stamps dispatches).
    expect(busiest).toBeLessThanOrEqual(RPS + 1);
    expect(busiest5).toBeLessThanOrEqual(5 * RPS + 1);
  }, 600_000);

  it("a 429 halves the whole queue's rate until Retry-After has passed, then lifts it", async () => {
    const queueLimit = async () => {
      const described = await client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: `${taskQueue}-api` },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        reportConfig: true,
      });
      const limit = described.config?.queueRateLimit;
      return limit?.rateLimit ? { rps: limit.rateLimit.requestsPerSecond, reason: limit.metadata?.reason ?? '' } : null;
    };
    expect(await queueLimit()).toBeNull();
    sim.inject({ target: 'status', kind: 'rateLimit', retryAfterSeconds: 2, times: 2 });
    const handles = await Promise.all(
      Array.from({ length: 4 }, async (_, i) => {
        const { taskId } = await readyTask(sim, `brake${i}`);
        return startSeedanceVideo(client, { taskId }, { taskQueue });
      }),
    );
    const braked = await until(async () => (await queueLimit()) ?? undefined, 30_000, 'the brake');
    expect(braked!.rps).toBe(apiQueueRateLimit(RPS) / 2);
    expect(braked!.reason).toMatch(/^seedance: provider answered 429; braking until /);
    const brakedAt = Date.now();
    await until(async () => (await queueLimit()) === null, 30_000, 'the brake lifted', 200);
    console.info(
      `api budget: brake at ${apiQueueRateLimit(RPS) / 2}/s held ${Date.now() - brakedAt} ms after it was seen`,
    );
    const results = await Promise.all(handles.map((h) => h.result()));
    expect(results.every((r) => r.status === 'completed')).toBe(true);
  });
});
