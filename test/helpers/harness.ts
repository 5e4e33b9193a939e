/**
 * A whole Seedance stack for workflow tests: a Temporal environment (time-skipping or dev server),
 * the simulator on the environment's clock, and a worker running the real workflows and activities
 * against a temp output directory.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, bundleWorkflowCode, type NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import { createSeedanceWorker, WORKFLOWS_PATH } from '../../src/create-worker';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator';
import { LocalDirectoryStorage } from '../../src/storage';
import type { DownloadPolicy } from '../../src/activities';

// Workers log every state change at INFO; tests want only what went wrong.
Runtime.install({ logger: new DefaultLogger('ERROR') });

let bundlePromise: Promise<WorkflowBundle> | undefined;

/** The workflow bundle, built once per test process (webpack per worker is slow). */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundlePromise ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  return bundlePromise;
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error(message: string, meta?: unknown) {
    console.error(message, meta);
  },
};

export const SIM_KEY = 'sk-test-secret-0123456789abcdef';

export interface Harness {
  client: Client;
  sim: Simulator;
  worker: Worker;
  outputDir: string;
  storage: LocalDirectoryStorage;
  taskQueue: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: TestWorkflowEnvironment;
  connection?: NativeConnection;
  client?: Client;
  namespace?: string;
  simulator?: Omit<SimulatorOptions, 'apiKey'>;
  download?: Partial<DownloadPolicy>;
  taskQueue?: string;
  /** Every workflow task replays from the start: a cheap determinism check. */
  replayEveryTask?: boolean;
}

let queueCounter = 0;

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const env = options.env;
  const connection = options.connection ?? env!.nativeConnection;
  const client = options.client ?? env!.client;
  const sim = await createSimulator({
    apiKey: SIM_KEY,
    ...(env ? { clock: () => env.currentTimeMs() } : {}),
    ...options.simulator,
  });
  const outputDir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-out-'));
  const storage = await LocalDirectoryStorage.create(outputDir);
  const taskQueue = options.taskQueue ?? `seedance-test-${process.pid}-${++queueCounter}`;
  const worker = await createSeedanceWorker({
    connection,
    namespace: options.namespace ?? 'default',
    taskQueue,
    seedance: { apiKey: SIM_KEY, baseUrl: sim.url, timeoutMs: 5_000 },
    output: storage,
    download: { allowPrivateUrls: true, ...options.download },
    shutdownGraceTimeMs: 2_000,
    workflowBundle: await workflowBundle(),
    workerOptions: options.replayEveryTask ? { maxCachedWorkflows: 0 } : {},
  });
  const running = worker.run();
  return {
    client,
    sim,
    worker,
    outputDir,
    storage,
    taskQueue,
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await sim.close();
      await fs.rm(outputDir, { recursive: true, force: true });
    },
  };
}

/** Durations of the timers the workflow started, from its history, in ms. */
export async function timerDurations(client: Client, workflowId: string): Promise<number[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.timerStartedEventAttributes)
    .map((e) => durationMs(e.timerStartedEventAttributes!.startToFireTimeout));
}

function durationMs(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!d) return 0;
  return Number(d.seconds ?? 0) * 1000 + Math.round((d.nanos ?? 0) / 1e6);
}
