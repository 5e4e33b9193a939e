/**
 * Does the time-skipping test server keep time when activity attempts wait for a busy worker?
 * `npx tsx bench/polling/clock-drift.ts` (DRIFT_RUNS, DRIFT_CHECKS, DRIFT_SLOTS, DRIFT_BUSY_MS, DRIFT_MODE).
 *
 * DRIFT_RUNS workflows each make DRIFT_CHECKS checks 30 s apart, either as one activity's retries
 * (`nextRetryDelay` 30 s, as `pollStatus` does) or as a timer loop; each check holds one of
 * DRIFT_SLOTS worker slots for DRIFT_BUSY_MS of real time. Each check logs the server's clock and
 * the wall clock when it starts and ends; a sampler logs both clocks every 100 ms. Printed: how
 * late each check starts in server time against when it was due (previous end + 30 s), and the
 * wall time the server's clock spent at a rate of one (locked) against jumps (skipped).
 */
import path from 'node:path';
import { Client } from '@temporalio/client';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { testServerExecutable } from '../../src/testing/binaries';
import { quietBundlerLogger } from '../../src/testing/harness';
import { installQuietRuntime } from '../workflows';

export interface DriftActivities {
  retryCheck(checks: number): Promise<void>;
  timerCheck(): Promise<void>;
}

interface CheckLog {
  workflowId: string;
  startSim: number;
  startWall: number;
  endSim: number;
}

const INTERVAL_MS = 30_000;

async function main(): Promise<void> {
  const runs = Number(process.env.DRIFT_RUNS ?? 200);
  const checks = Number(process.env.DRIFT_CHECKS ?? 6);
  const slots = Number(process.env.DRIFT_SLOTS ?? 10);
  const busyMs = Number(process.env.DRIFT_BUSY_MS ?? 100);
  const modes = (process.env.DRIFT_MODE ?? 'retry,timer').split(',').filter(Boolean);
  installQuietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: await testServerExecutable() },
  });
  try {
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'clock-drift-workflows.ts'),
      logger: quietBundlerLogger,
    });
    for (const mode of modes) {
      const log: CheckLog[] = [];
      const check = async (last: boolean) => {
        const workflowId = Context.current().info.workflowExecution?.workflowId ?? '';
        const startSim = await env.currentTimeMs();
        const startWall = Date.now();
        await new Promise((resolve) => setTimeout(resolve, busyMs));
        log.push({ workflowId, startSim, startWall, endSim: await env.currentTimeMs() });
        if (!last) {
          throw ApplicationFailure.create({
            type: 'Running',
            message: 'running',
            nextRetryDelay: INTERVAL_MS,
            category: ApplicationFailureCategory.BENIGN,
          });
        }
      };
      const activities: DriftActivities = {
        retryCheck: (n) => check(Context.current().info.attempt >= n),
        timerCheck: () => check(true),
      };
      const taskQueue = `drift-${mode}-${process.pid}`;
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle,
        activities,
        maxConcurrentActivityTaskExecutions: slots,
      });
      const client = new Client({ connection: env.connection });
      const samples: Array<{ wall: number; sim: number }> = [];
      await worker.runUntil(async () => {
        const handles = await Promise.all(
          Array.from({ length: runs }, (_, i) =>
            client.workflow.start(mode === 'retry' ? 'retryChecks' : 'timerChecks', {
              taskQueue,
              workflowId: `drift-${mode}-${i}-${Date.now()}`,
              args: [checks],
            }),
          ),
        );
        const wallStart = Date.now();
        let done = false;
        const sampler = (async () => {
          while (!done) {
            samples.push({ wall: Date.now(), sim: await env.currentTimeMs() });
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        })();
        await env.connection.testService!.unlockTimeSkipping({});
        await Promise.all(handles.map((h) => h.result()));
        await env.connection.testService!.lockTimeSkipping({});
        done = true;
        await sampler;
        report(mode, { runs, checks, slots, busyMs }, log, samples, Date.now() - wallStart);
      });
    }
  } finally {
    await env.teardown();
  }
}

function report(
  mode: string,
  params: Record<string, number>,
  log: CheckLog[],
  samples: Array<{ wall: number; sim: number }>,
  wallMs: number,
): void {
  const byRun = new Map<string, CheckLog[]>();
  for (const entry of log) byRun.set(entry.workflowId, [...(byRun.get(entry.workflowId) ?? []), entry]);
  const late: number[] = [];
  for (const entries of byRun.values()) {
    entries.sort((a, b) => a.startSim - b.startSim);
    for (let i = 1; i < entries.length; i++) late.push(entries[i]!.startSim - (entries[i - 1]!.endSim + INTERVAL_MS));
  }
  late.sort((a, b) => a - b);
  // Wall time during which the server's clock moved at about the wall's rate (locked) or faster (skipping).
  let lockedWall = 0;
  let skippingWall = 0;
  let skippedSim = 0;
  for (let i = 1; i < samples.length; i++) {
    const dWall = samples[i]!.wall - samples[i - 1]!.wall;
    const dSim = samples[i]!.sim - samples[i - 1]!.sim;
    if (dSim > dWall * 1.5 + 50) {
      skippingWall += dWall;
      skippedSim += dSim - dWall;
    } else lockedWall += dWall;
  }
  const q = (p: number) => late[Math.min(late.length - 1, Math.floor(p * late.length))] ?? Number.NaN;
  const mean = late.reduce((s, x) => s + x, 0) / late.length;
  const s = (ms: number) => (ms / 1000).toFixed(2);
  console.log(
    `${mode}: ${Object.entries(params)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; ${log.length} checks in ${s(wallMs)} s wall\n` +
      `  check start after due (server clock), s: mean ${s(mean)}, p50 ${s(q(0.5))}, p95 ${s(q(0.95))}, max ${s(q(1))}, min ${s(q(0))}\n` +
      `  server clock: ${s(lockedWall)} s of wall at the wall's rate (locked), ${s(skippingWall)} s skipping (${s(skippedSim)} s skipped)`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
