/**
 * `npm run bench:scale`: how many videos one worker process keeps in flight, and how late its
 * checks run. One dev server, the simulator (in this process) and one production worker process
 * (`src/worker.ts`, configured by its environment). For each level (`SCALE_LEVELS`, default
 * 100,500,1000,2000) it starts that many `awaitSeedanceVideo` runs of 480p tasks that render for
 * `SCALE_RENDER_S` (default 90) seconds, so every run waits on timers (checks every 10-20 s after
 * the first 30 s) and ends with a download. It prints, per level:
 * - check lateness: how long after its timer fired each check started (ActivityTaskStarted of the
 *   check minus the timer's due time), p50/p99 over a sample of histories;
 * - the worker's peak RSS and its CPU use (cores), per 1,000 videos in flight, and the dev server's
 *   CPU (to tell which component is the bottleneck);
 * - wall time, and whether every video arrived.
 * Figures, not pass/fail; `docs/benchmarks.md` keeps them with this command.
 */
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { startSeedanceVideo } from '../src/client';
import { createSimulator } from '../src/simulator';
import { startDevServer } from '../src/testing/dev-server';
import { startWorkerProcess } from '../test/helpers/worker-process';

const KEY = 'sk-scale-bench-0123456789';
const LEVELS = (process.env.SCALE_LEVELS ?? '100,500,1000,2000').split(',').map(Number);
const RENDER_MS = Number(process.env.SCALE_RENDER_S ?? 90) * 1000;
const SAMPLE = 150;
const TICKS_PER_S = 100;

interface ProcSample {
  rssBytes: number;
  cpuSeconds: number;
}

function procSample(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  return { rssBytes: rssKb * 1024, cpuSeconds: cpuTicks / TICKS_PER_S };
}

function eventMs(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return t ? Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : Number.NaN;
}

/** Lateness of every check that followed a timer, from one history. */
function checkLateness(events: temporal.api.history.v1.IHistoryEvent[] | null | undefined): number[] {
  const late: number[] = [];
  const list = events ?? [];
  let dueAt: number | undefined;
  const scheduled = new Map<string, boolean>();
  for (const e of list) {
    if (e.timerStartedEventAttributes) {
      const d = e.timerStartedEventAttributes.startToFireTimeout;
      dueAt = eventMs(e.eventTime) + Number(d?.seconds ?? 0) * 1000 + Math.round((d?.nanos ?? 0) / 1e6);
    }
    const attrs = e.activityTaskScheduledEventAttributes;
    if (attrs?.activityType?.name === 'checkStatus') scheduled.set(String(e.eventId), dueAt !== undefined);
    const started = e.activityTaskStartedEventAttributes;
    if (started && scheduled.get(String(started.scheduledEventId)) && dueAt !== undefined) {
      late.push(eventMs(e.eventTime) - dueAt);
      dueAt = undefined;
    }
  }
  return late;
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;
}

async function runLevel(inFlight: number): Promise<void> {
  const server = await startDevServer({ headless: true });
  const sim = await createSimulator({ apiKey: KEY });
  const outputDir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-scale-'));
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const worker = await startWorkerProcess({
    TEMPORAL_ADDRESS: server.address,
    SEEDANCE_API_KEY: KEY,
    SEEDANCE_BASE_URL: sim.url,
    SEEDANCE_OUTPUT: outputDir,
    SEEDANCE_ALLOW_PRIVATE_URLS: 'true',
  });
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
    const results = await Promise.allSettled(handles.map((h) => h.result()));
    const wall = (Date.now() - started) / 1000;
    const end = procSample(worker.pid);
    const serverEnd = procSample(server.pid);
    const stored = results.filter((r) => r.status === 'fulfilled').length;
    const sample = handles.filter((_, i) => i % Math.max(1, Math.floor(inFlight / SAMPLE)) === 0).slice(0, SAMPLE);
    const late: number[] = [];
    for (const handle of sample) late.push(...checkLateness((await handle.fetchHistory()).events));
    late.sort((a, b) => a - b);
    const cores = (end.cpuSeconds - baseline.cpuSeconds) / wall;
    const serverCores = (serverEnd.cpuSeconds - serverBaseline.cpuSeconds) / wall;
    console.log(
      `scale: ${inFlight} in flight (started in ${((startedAll - started) / 1000).toFixed(1)} s), ${stored}/${inFlight} stored, ` +
        `wall ${wall.toFixed(0)} s; check lateness p50 ${pct(late, 50)} ms p99 ${pct(late, 99)} ms max ${late.at(-1)} ms ` +
        `(${late.length} checks sampled); worker peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB ` +
        `(${((peakRss - baseline.rssBytes) / 2 ** 20 / (inFlight / 1000)).toFixed(0)} MiB per 1,000 above idle), ` +
        `CPU ${cores.toFixed(2)} cores (${(cores / (inFlight / 1000)).toFixed(2)} per 1,000); ` +
        `dev server CPU ${serverCores.toFixed(2)} cores`,
    );
  } finally {
    clearInterval(sampler);
    await worker.kill('SIGTERM');
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
