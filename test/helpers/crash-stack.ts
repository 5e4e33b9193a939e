/**
 * The stack the crash tests kill pieces of: a dev server on a SQLite file (kill -9 and restart on
 * the same file and ports), the simulator in the test process (faults, request log), the real
 * worker as child processes (kill -9, SIGTERM, SIGSTOP), and a client in the test process.
 * Each scenario gets a stack of its own, so scenarios can run side by side without sharing a
 * server to kill, a fault queue or an output directory.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Checkpoint } from '../../src/storage/partial-file';
import { DEFAULT_TASK_QUEUE } from '../../src/contract/names';
import {
  createSimulator,
  type AnySimulator,
  type CommonSimulatorOptions,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator';
import { STAGING_DIR_NAME } from '../../src/storage/local';
import { jitter } from '../../src/seedance/schedule';
import { eventsOf, historyEvents } from './history';
import { addTask, createSimulatorUnderTest, workerApiEnv } from './provider';
import { createDevServerForTest, type TestDevServer } from './temporal';
import { until } from './wait';
import { startWorkerProcess, type StartWorkerOptions, type WorkerProcess } from './worker-process';

export const CRASH_API_KEY = 'sk-crash-test-SECRET-5e4d3c2b1a';
/** The production worker's queue: it runs with no TEMPORAL_TASK_QUEUE set. */
export const TASK_QUEUE = DEFAULT_TASK_QUEUE;
/** How long the crash tests wait for a worker, a server or a download to get somewhere. */
export const CRASH_WAIT_MS = 60_000;

export interface CrashStack<Sim extends AnySimulator = Simulator> {
  server: TestDevServer;
  sim: Sim;
  client: Client;
  outputDir: string;
  stagingDir: string;
  /** Starts the production worker as a child process (tracked: `close()` kills what is left). */
  startWorker(env?: Record<string, string>, options?: StartWorkerOptions): Promise<WorkerProcess>;
  close(): Promise<void>;
}

export async function startCrashStack(simulator: Omit<SimulatorOptions, 'apiKey'> = {}): Promise<CrashStack> {
  return startCrashStackOn(createSimulator({ apiKey: CRASH_API_KEY, ...simulator }));
}

/** {@link startCrashStack} on the provider under test (test/helpers/provider.ts). */
export async function startCrashStackUnderTest(
  simulator: Omit<CommonSimulatorOptions, 'apiKey'> = {},
): Promise<CrashStack<AnySimulator>> {
  return startCrashStackOn(createSimulatorUnderTest({ apiKey: CRASH_API_KEY, ...simulator }));
}

async function startCrashStackOn<Sim extends AnySimulator>(simulator: Promise<Sim>): Promise<CrashStack<Sim>> {
  const [server, sim] = await Promise.all([createDevServerForTest(), simulator]);
  const outputDir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-crash-'));
  // Reconnects by itself after the server restarts on the same port.
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const workers: WorkerProcess[] = [];
  return {
    server,
    sim,
    client,
    outputDir,
    stagingDir: path.join(outputDir, STAGING_DIR_NAME),
    async startWorker(env = {}, options = {}) {
      const worker = await startWorkerProcess(
        {
          TEMPORAL_ADDRESS: server.address,
          TEMPORAL_NAMESPACE: server.namespace,
          SEEDANCE_API_KEY: CRASH_API_KEY,
          ...workerApiEnv(sim),
          SEEDANCE_OUTPUT: outputDir,
          SEEDANCE_ALLOW_PRIVATE_URLS: 'true',
          SEEDANCE_REQUEST_TIMEOUT_MS: '5000',
          ...env,
        },
        60_000,
        options,
      );
      workers.push(worker);
      return worker;
    },
    async close() {
      await Promise.all(workers.map((w) => w.kill('SIGKILL')));
      await connection.close().catch(() => undefined);
      await sim.close();
      await server.dispose();
      await fs.rm(outputDir, { recursive: true, force: true });
    },
  };
}

/** A task id whose first timer (check 1) lands near the 480p minimum of 10 s, to keep tests short. */
export function quickTimerTaskId(): string {
  for (;;) {
    const id = `video_crash_${randomBytes(6).toString('hex')}`;
    if (jitter(id, 1) < 0.15) return id;
  }
}

/**
 * A 480p task that stays processing until `finishTask`. Created a minute ago, so the schedule's
 * "not before the earliest finish" (30 s) is past and the first timer is the 480p interval.
 */
export function seedProcessingTask(sim: AnySimulator) {
  return addTask(sim, {
    id: quickTimerTaskId(),
    resolution: '480p',
    createdMs: Date.now() - 60_000,
    timing: { queuedMs: 0, renderMs: 60 * 60_000 },
  });
}

/**
 * Makes a task completed from now on, by editing the simulator's live record: tests call it once
 * the workflow waits on its timer, so the next check finds the video whatever the machine's load.
 */
export function finishTask(sim: AnySimulator, taskId: string): void {
  const task = sim.getTask(taskId);
  if (!task) throw new Error(`no simulated task ${taskId}`);
  task.timing = { queuedMs: 0, renderMs: 0 };
}

/** A 480p task completed long ago: the first check hands straight over to the download. */
export function seedCompletedTask(sim: AnySimulator) {
  return addTask(sim, {
    resolution: '480p',
    createdMs: Date.now() - 10 * 60_000,
    timing: { queuedMs: 0, renderMs: 60_000 },
  });
}

/** The `downloadVideo` attempt currently pending on the server, if any. */
/** The workflow's first TimerStarted event, once it is in the history. */
export function firstTimer(handle: WorkflowHandle) {
  return until(
    async () => eventsOf(await historyEvents(handle), 'timerStartedEventAttributes')[0],
    CRASH_WAIT_MS,
    'the first timer',
  );
}

export async function pendingDownload(handle: WorkflowHandle) {
  const { raw } = await handle.describe();
  return raw.pendingActivities?.find((a) => a.activityType?.name === 'downloadVideo');
}

/** The checkpoint the server holds for the pending download: what a retry resumes from. */
export async function serverCheckpoint(handle: WorkflowHandle): Promise<Checkpoint | undefined> {
  const payload = (await pendingDownload(handle))?.heartbeatDetails?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<Checkpoint>(payload) : undefined;
}
