/**
 * `npm run bench:scale`: how many videos one worker process keeps in flight, and how late its
 * checks run. One dev server, the simulator (in this process) and one production worker process
 * (`src/worker.ts`, configured by its environment). For each level (`SCALE_LEVELS`, default
 * 100,500,1000,2000) it starts that many `awaitSeedanceVideo` runs of 480p tasks that render for
 * `SCALE_RENDER_S` (default 90) seconds, so every run waits on timers (checks every 10-20 s after
 * the first 30 s) and ends with a download. It prints, per level:
 * - check lateness: how long after its timer was due each check started (ActivityTaskStarted of
 *   the check minus the timer's due time), p50/p99 over a sample of histories, split into its
 *   parts: timer fired late (server), workflow task schedule-to-start (worker poll/slots), workflow
 *   task run, activity schedule-to-start; and the sticky-queue timeouts seen;
 * - the worker's peak RSS and its CPU use (cores), per 1,000 videos in flight, and the dev server's
 *   CPU (to tell which component is the bottleneck), and the event-loop delay of this process (the
 *   simulator's);
 * - with `SCALE_METRICS=1`, the worker's own metrics (Prometheus): schedule-to-start latencies,
 *   slots, sticky cache hits and misses, pollers;
 * - wall time, and whether every video arrived.
 * Figures, not pass/fail; `docs/benchmarks.md` keeps them with this command.
 *
 * Benchmark-only knobs (production defaults live in `seedanceWorkerOptions`):
 * - `SCALE_WORKER_OPTIONS='{"maxCachedWorkflows":3000}'`: extra Worker options (JSON), run through
 *   `bench/scale-worker.ts` instead of `src/worker.ts`;
 * - `SCALE_DEV_DB=memory`: the dev server without a SQLite file; `SCALE_DEV_ARGS='--dynamic-config-value k=v'`;
 * - `SCALE_CPU_PROF=<dir>`: the worker writes V8 CPU profiles there (`--cpu-prof`) when it exits;
 * - `SCALE_SAMPLE` (default 150): histories read for the lateness figures.
 */
import { spawn } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startSeedanceVideo } from '../src/client';
import { createSimulator } from '../src/simulator';
import { findTemporalCli } from '../src/testing/binaries';
import { startDevServer, type DevServer } from '../src/testing/dev-server';
import { freePort } from '../src/testing/ports';

const KEY = 'sk-scale-bench-0123456789';
const LEVELS = (process.env.SCALE_LEVELS ?? '100,500,1000,2000').split(',').map(Number);
const RENDER_MS = Number(process.env.SCALE_RENDER_S ?? 90) * 1000;
const SAMPLE = Number(process.env.SCALE_SAMPLE ?? 150);
const WORKER_OPTIONS = process.env.SCALE_WORKER_OPTIONS;
const DEV_DB = process.env.SCALE_DEV_DB === 'memory' ? 'memory' : 'sqlite';
const DEV_ARGS = (process.env.SCALE_DEV_ARGS ?? '').split(' ').filter(Boolean);
const CPU_PROF_DIR = process.env.SCALE_CPU_PROF;
const METRICS = process.env.SCALE_METRICS === '1';
const TICKS_PER_S = 100;
const ROOT = path.resolve(__dirname, '..');

interface ProcSample {
  rssBytes: number;
  cpuSeconds: number;
}

function procSample(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime + stime + cutime + cstime: the dev server CLI runs the server in its own process.
  const cpuTicks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  return { rssBytes: rssKb * 1024, cpuSeconds: cpuTicks / TICKS_PER_S };
}

function eventMs(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return t ? Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : Number.NaN;
}

/** One check that followed a timer, split into where its lateness went (ms). */
interface CheckDelay {
  total: number;
  timerFired: number;
  workflowTaskQueued: number;
  workflowTaskRun: number;
  activityQueued: number;
}

interface HistoryFigures {
  checks: CheckDelay[];
  /** Workflow task timeouts by type (SCHEDULE_TO_START: a sticky queue nobody polled in time). */
  workflowTaskTimeouts: Record<string, number>;
}

/** The delays of every check that followed a timer, from one history. */
function checkDelays(events: temporal.api.history.v1.IHistoryEvent[] | null | undefined): HistoryFigures {
  const checks: CheckDelay[] = [];
  const workflowTaskTimeouts: Record<string, number> = {};
  let due: number | undefined;
  let fired: number | undefined;
  let taskScheduled: number | undefined;
  let taskStarted: number | undefined;
  let taskCompleted: number | undefined;
  const pending = new Map<string, { due: number; fired: number; queued: number; ran: number; scheduled: number }>();
  for (const e of events ?? []) {
    const t = eventMs(e.eventTime);
    if (e.timerStartedEventAttributes) {
      const d = e.timerStartedEventAttributes.startToFireTimeout;
      due = t + Number(d?.seconds ?? 0) * 1000 + Math.round((d?.nanos ?? 0) / 1e6);
      fired = taskScheduled = taskStarted = taskCompleted = undefined;
    }
    if (e.timerFiredEventAttributes && due !== undefined) fired = t;
    if (e.workflowTaskScheduledEventAttributes && fired !== undefined && taskScheduled === undefined) taskScheduled = t;
    if (e.workflowTaskStartedEventAttributes && taskScheduled !== undefined) taskStarted = t;
    const timedOut = e.workflowTaskTimedOutEventAttributes;
    if (timedOut) {
      const type = String(temporal.api.enums.v1.TimeoutType[timedOut.timeoutType ?? 0]).replace(/^TIMEOUT_TYPE_/, '');
      workflowTaskTimeouts[type] = (workflowTaskTimeouts[type] ?? 0) + 1;
    }
    if (e.workflowTaskCompletedEventAttributes && taskStarted !== undefined && taskCompleted === undefined) {
      taskCompleted = t;
    }
    const attrs = e.activityTaskScheduledEventAttributes;
    if (attrs?.activityType?.name === 'checkStatus' && due !== undefined && fired !== undefined) {
      // From the first workflow task after the timer fired (a retry after a sticky timeout counts as queued).
      pending.set(String(e.eventId), {
        due,
        fired,
        queued: (taskStarted ?? t) - (taskScheduled ?? fired),
        ran: (taskCompleted ?? t) - (taskStarted ?? t),
        scheduled: t,
      });
      due = undefined;
    }
    const started = e.activityTaskStartedEventAttributes;
    const check = started ? pending.get(String(started.scheduledEventId)) : undefined;
    if (check) {
      checks.push({
        total: t - check.due,
        timerFired: check.fired - check.due,
        workflowTaskQueued: check.queued,
        workflowTaskRun: check.ran,
        activityQueued: t - check.scheduled,
      });
      pending.delete(String(started!.scheduledEventId));
    }
  }
  return { checks, workflowTaskTimeouts };
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;
}

function split(checks: CheckDelay[], part: keyof CheckDelay): string {
  const values = checks.map((c) => c[part]);
  return `${pct(values, 50)}/${pct(values, 99)}`;
}

/** A dev server, optionally without its SQLite file and with extra flags (through a wrapper around the CLI). */
async function startBenchDevServer(metricsPort: number | undefined): Promise<DevServer> {
  const args = [...DEV_ARGS, ...(metricsPort ? ['--metrics-port', String(metricsPort)] : [])];
  if (DEV_DB === 'sqlite' && args.length === 0) return startDevServer({ headless: true });
  const cli = await findTemporalCli();
  if (!cli) throw new Error('Temporal CLI not found; run `npm run tools`');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-scale-cli-'));
  const wrapper = path.join(dir, 'temporal');
  const dropDb = DEV_DB === 'memory' ? 'if [ "$1" = --db-filename ]; then shift 2; continue; fi' : '';
  const extra = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  await fs.writeFile(
    wrapper,
    `#!/bin/bash\nargs=()\nwhile [ $# -gt 0 ]; do ${dropDb}\n args+=("$1"); shift; done\nexec '${cli}' "\${args[@]}" ${extra}\n`,
    { mode: 0o755 },
  );
  return startDevServer({ headless: true, cliPath: wrapper, dbFile: path.join(dir, 'temporal.db') });
}

interface BenchWorker {
  pid: number;
  stop(): Promise<void>;
}

/** `src/worker.ts` (or `bench/scale-worker.ts` with SCALE_WORKER_OPTIONS) as a child process. */
async function startBenchWorker(env: Record<string, string>): Promise<BenchWorker> {
  const entry = path.join(ROOT, WORKER_OPTIONS ? 'bench/scale-worker.ts' : 'src/worker.ts');
  const loader = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const profile = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROF_DIR)}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', loader, entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...env,
      ...(WORKER_OPTIONS ? { SCALE_WORKER_OPTIONS: WORKER_OPTIONS } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.once('exit', () => child.kill('SIGKILL'));
  const deadline = Date.now() + 120_000;
  while (!output.includes('seedance worker:')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Selected worker metrics from a Prometheus text page. */
function metricsSummary(page: string): string {
  const lines = page.split('\n').filter((l) => l && !l.startsWith('#'));
  const value = (name: string, label = ''): number =>
    lines
      .filter((l) => l.startsWith(name + '{') || l.startsWith(name + ' '))
      .filter((l) => l.includes(label))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  const quantile = (name: string, q: number, label = ''): string => {
    const buckets = new Map<number, number>();
    for (const l of lines.filter((x) => x.startsWith(`${name}_bucket{`) && x.includes(label))) {
      const le = /le="([^"]+)"/.exec(l)?.[1] ?? '+Inf';
      const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
      buckets.set(bound, (buckets.get(bound) ?? 0) + Number(l.slice(l.lastIndexOf(' ') + 1)));
    }
    const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
    const total = sorted.at(-1)?.[1] ?? 0;
    const hit = sorted.find(([, count]) => count >= q * total);
    return total ? `<=${hit?.[0]}` : 'n/a';
  };
  const hist = (name: string, label = '') =>
    `${quantile(name, 0.5, label)}/${quantile(name, 0.99, label)} (n=${value(name + '_count', label)})`;
  return [
    `wft schedule-to-start p50/p99 ${hist('temporal_workflow_task_schedule_to_start_latency')}`,
    `wft execution ${hist('temporal_workflow_task_execution_latency')}`,
    `wft replay ${hist('temporal_workflow_task_replay_latency')}`,
    `activity schedule-to-start ${hist('temporal_activity_schedule_to_start_latency')}`,
    `activity execution ${hist('temporal_activity_execution_latency')}`,
    `sticky cache hit ${value('temporal_sticky_cache_hit')} miss ${value('temporal_sticky_cache_miss')} ` +
      `size ${value('temporal_sticky_cache_size')} forced evictions ${value('temporal_sticky_cache_total_forced_eviction')}`,
    `slots available wf ${value('temporal_worker_task_slots_available', 'worker_type="WorkflowWorker"')} ` +
      `act ${value('temporal_worker_task_slots_available', 'worker_type="ActivityWorker"')}; ` +
      `used wf ${value('temporal_worker_task_slots_used', 'worker_type="WorkflowWorker"')} ` +
      `act ${value('temporal_worker_task_slots_used', 'worker_type="ActivityWorker"')}`,
    `pollers wf ${value('temporal_num_pollers', 'poller_type="workflow_task"')} ` +
      `sticky ${value('temporal_num_pollers', 'poller_type="sticky_workflow_task"')} ` +
      `act ${value('temporal_num_pollers', 'poller_type="activity_task"')}; ` +
      `empty polls wft ${value('temporal_workflow_task_queue_poll_empty')} act ${value('temporal_activity_poll_no_task')}`,
  ].join('\n  ');
}

async function runLevel(inFlight: number): Promise<void> {
  const serverMetricsPort = METRICS ? await freePort() : undefined;
  const server = await startBenchDevServer(serverMetricsPort);
  const sim = await createSimulator({ apiKey: KEY });
  const outputDir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-scale-'));
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const metricsAddress = METRICS ? `127.0.0.1:${await freePort()}` : undefined;
  const worker = await startBenchWorker({
    TEMPORAL_ADDRESS: server.address,
    SEEDANCE_API_KEY: KEY,
    SEEDANCE_BASE_URL: sim.url,
    SEEDANCE_OUTPUT: outputDir,
    SEEDANCE_ALLOW_PRIVATE_URLS: 'true',
    ...(metricsAddress ? { SEEDANCE_PROMETHEUS_ADDRESS: metricsAddress } : {}),
  });
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, procSample(worker.pid).rssBytes);
    } catch {
      // the worker exited
    }
  }, 500);
  try {
    const baseline = procSample(worker.pid);
    const serverBaseline = procSample(server.pid);
    const started = Date.now();
    // Started in batches of 50 at once: one by one, the starts themselves take minutes at 1,000+.
    const handles: Awaited<ReturnType<typeof startSeedanceVideo>>[] = [];
    for (let first = 0; first < inFlight; first += 50) {
      const batch = Array.from({ length: Math.min(50, inFlight - first) }, async () => {
        const task = await sim.addTask({
          model: 'seedance_1_5_pro_480p',
          timing: { queuedMs: 0, renderMs: RENDER_MS },
        });
        return startSeedanceVideo(client, { taskId: task.id });
      });
      handles.push(...(await Promise.all(batch)));
    }
    const startedAll = Date.now();
    // Counting running workflows every 2 s, rather than a long poll per run (`result()`), keeps the
    // benchmark's own load off the dev server: thousands of history long polls are not the workload.
    let peakMetrics = '';
    for (;;) {
      await new Promise((r) => setTimeout(r, 2_000));
      const { count } = await client.workflow.count('ExecutionStatus="Running"');
      if (metricsAddress && !peakMetrics && Date.now() - startedAll > RENDER_MS / 2) {
        peakMetrics = await fetch(`http://${metricsAddress}/metrics`).then((r) => r.text());
      }
      if (count === 0) break;
    }
    const wall = (Date.now() - started) / 1000;
    lag.disable();
    const end = procSample(worker.pid);
    const serverEnd = procSample(server.pid);
    const endMetrics = metricsAddress ? await fetch(`http://${metricsAddress}/metrics`).then((r) => r.text()) : '';
    const { count: stored } = await client.workflow.count('ExecutionStatus="Completed"');
    const sample = handles.filter((_, i) => i % Math.max(1, Math.floor(inFlight / SAMPLE)) === 0).slice(0, SAMPLE);
    const checks: CheckDelay[] = [];
    const timeouts: Record<string, number> = {};
    for (const handle of sample) {
      const figures = checkDelays((await handle.fetchHistory()).events);
      checks.push(...figures.checks);
      for (const [type, n] of Object.entries(figures.workflowTaskTimeouts)) timeouts[type] = (timeouts[type] ?? 0) + n;
    }
    const cores = (end.cpuSeconds - baseline.cpuSeconds) / wall;
    const serverCores = (serverEnd.cpuSeconds - serverBaseline.cpuSeconds) / wall;
    const total = checks.map((c) => c.total);
    console.log(
      `scale: ${inFlight} in flight (started in ${((startedAll - started) / 1000).toFixed(1)} s), ${stored}/${inFlight} stored, ` +
        `wall ${wall.toFixed(0)} s; check lateness p50 ${pct(total, 50)} ms p99 ${pct(total, 99)} ms max ${pct(total, 100)} ms ` +
        `(${checks.length} checks in ${sample.length} histories); p50/p99 ms of its parts: timer fired ${split(checks, 'timerFired')}, ` +
        `workflow task queued ${split(checks, 'workflowTaskQueued')}, run ${split(checks, 'workflowTaskRun')}, ` +
        `activity queued ${split(checks, 'activityQueued')}; workflow task timeouts ${JSON.stringify(timeouts)}; ` +
        `worker peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB ` +
        `(${((peakRss - baseline.rssBytes) / 2 ** 20 / (inFlight / 1000)).toFixed(0)} MiB per 1,000 above idle), ` +
        `CPU ${cores.toFixed(2)} cores (${(cores / (inFlight / 1000)).toFixed(2)} per 1,000); ` +
        `dev server (${DEV_DB}${DEV_ARGS.length ? ' ' + DEV_ARGS.join(' ') : ''}) CPU ${serverCores.toFixed(2)} cores; ` +
        `bench/simulator event-loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms max ${(lag.max / 1e6).toFixed(0)} ms` +
        (WORKER_OPTIONS ? `; worker options ${WORKER_OPTIONS}` : ''),
    );
    if (peakMetrics) console.log(`  worker metrics mid-run:\n  ${metricsSummary(peakMetrics)}`);
    if (endMetrics) console.log(`  worker metrics at the end:\n  ${metricsSummary(endMetrics)}`);
    if (endMetrics) {
      const file = path.join(os.tmpdir(), `seedance-scale-metrics-${inFlight}-${Date.now()}.txt`);
      const serverPage = await fetch(`http://127.0.0.1:${serverMetricsPort}/metrics`).then((r) => r.text());
      await fs.writeFile(file, `# mid-run\n${peakMetrics}\n# end\n${endMetrics}\n# server\n${serverPage}`);
      console.log(`  metric pages: ${file}`);
    }
  } finally {
    clearInterval(sampler);
    await worker.stop();
    await connection.close();
    await sim.close();
    await server.stop();
    await fs.rm(outputDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  for (const level of LEVELS) await runLevel(level);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
