/**
 * A whole Seedance stack for workflow tests: the simulator (on the test environment's clock when
 * there is one) and a worker running the package's real workflows and activities against it, on
 * a temp output directory. Give it a `TestWorkflowEnvironment` from `@temporalio/testing`
 * (time-skipping: hours of polling pass in seconds) or a connection to any Temporal server.
 *
 * @example
 * const env = await TestWorkflowEnvironment.createTimeSkipping();
 * const stack = await startSeedanceTestStack({ env });
 * const task = await stack.sim.addTask({ model: 'seedance_1_5_pro_720p' });
 * const handle = await stack.client.workflow.start('awaitSeedanceVideo', {
 *   taskQueue: stack.taskQueue,
 *   workflowId: workflowIdForTask(task.id),
 *   args: [{ taskId: task.id }],
 * });
 * expect((await handle.result()).video.sha256).toBe(stack.sim.videoSha256);
 * await stack.close();
 * await env.teardown();
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import {
  bundleWorkflowCode,
  type NativeConnection,
  type WorkflowBundle,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import type { DownloadPolicy } from '../activities';
import { createSeedanceWorker, WORKFLOWS_PATH, type SeedanceWorker } from '../create-worker';
import {
  createSimulator,
  type AnySimulator,
  type ModelArkSimulator,
  type ModelArkSimulatorOptions,
  type Simulator,
  type SimulatorOptions,
} from '../simulator';
import { createProvider } from '../seedance/create-provider';
import type { VideoTaskProvider } from '../seedance/provider';
import { LocalDirectoryStorage } from '../storage';

/** The API key the stack's simulator accepts and its worker sends. Not a secret: tests grep for it. */
export const TEST_API_KEY = 'sk-test-secret-0123456789abcdef';

/**
 * What the stack needs of a `TestWorkflowEnvironment` (`@temporalio/testing`): pass the
 * environment itself. With time skipping, the simulator's clock is the server's.
 */
export interface TemporalTestEnvironment {
  readonly client: Client;
  readonly nativeConnection: NativeConnection;
  currentTimeMs(): Promise<number>;
}

export interface SeedanceTestStackOptions {
  /** A test environment: its connections, and its clock for the simulator. */
  env?: TemporalTestEnvironment;
  /** Without `env`: the worker's connection (and `client` the test's). */
  connection?: NativeConnection;
  client?: Client;
  /** @default 'default' */
  namespace?: string;
  /** Simulator options (profile, host, faults' clock...); the API key is {@link TEST_API_KEY}. */
  simulator?: Omit<SimulatorOptions, 'apiKey'>;
  /** Download policy; private URLs are allowed (the simulator is on loopback) unless set here. */
  download?: Partial<DownloadPolicy>;
  /** @default a queue no other stack in this process uses */
  taskQueue?: string;
  /** Every workflow task replays from the start (`maxCachedWorkflows: 0`): a cheap determinism check. */
  replayEveryTask?: boolean;
  /** Pre-built workflow code, e.g. bundled once for a whole test run. @default {@link seedanceWorkflowBundle} */
  workflowBundle?: WorkflowBundleOption;
  /** The API budget (`SEEDANCE_API_RPS`): API calls go to `<taskQueue>-api`, served by a second worker. */
  apiRequestsPerSecond?: number;
  /** `SEEDANCE_SCHEDULE`: `adaptive` spaces checks by the completions the worker has seen. */
  schedule?: 'documented' | 'adaptive';
}

export interface SeedanceTestStack<Sim extends AnySimulator = Simulator> {
  /** The client to start workflows with (the environment's, or the one given). */
  client: Client;
  sim: Sim;
  worker: SeedanceWorker;
  /** Where the worker stores videos (a temp directory, removed by `close()`). */
  outputDir: string;
  storage: LocalDirectoryStorage;
  taskQueue: string;
  /** Stops the worker and the simulator and removes the output directory. */
  close(): Promise<void>;
}

let bundlePromise: Promise<WorkflowBundle> | undefined;

/**
 * The package's workflow code bundled by webpack, built once per process: each worker given it
 * skips its own bundling, which takes seconds. `fresh` builds again (the code changed on disk).
 */
export function seedanceWorkflowBundle(options: { fresh?: boolean } = {}): Promise<WorkflowBundle> {
  if (!bundlePromise || options.fresh) {
    bundlePromise = bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  }
  return bundlePromise;
}

/** The bundler's progress is noise in a test run (or a benchmark); its errors are not. */
export const quietBundlerLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error(message: string, meta?: unknown) {
    console.error(message, meta);
  },
};

let queueCounter = 0;

/** Starts the simulator (reseller mode) and a running worker; `close()` stops them. */
export async function startSeedanceTestStack(options: SeedanceTestStackOptions): Promise<SeedanceTestStack> {
  const sim = await createSimulator({ apiKey: TEST_API_KEY, ...simulatorClock(options), ...options.simulator });
  const provider = createProvider({ provider: 'reseller', apiKey: TEST_API_KEY, baseUrl: sim.url, timeoutMs: 5_000 });
  return startStack(options, sim, provider);
}

export interface ModelArkTestStackOptions extends Omit<SeedanceTestStackOptions, 'simulator'> {
  /** Options of the simulator's ModelArk mode; the API key is {@link TEST_API_KEY}. */
  simulator?: Omit<ModelArkSimulatorOptions, 'apiKey' | 'provider'>;
  /** Creates send this callback URL (signed per workflow with `secret`). @default no callbacks */
  callback?: { url: string; secret: string };
}

/** The same stack with the provider `SEEDANCE_PROVIDER=modelark` runs, against the simulator's ModelArk mode. */
export async function startModelArkTestStack(
  options: ModelArkTestStackOptions,
): Promise<SeedanceTestStack<ModelArkSimulator>> {
  const sim = await createSimulator({
    provider: 'modelark',
    apiKey: TEST_API_KEY,
    ...simulatorClock(options),
    ...options.simulator,
  });
  const provider = createProvider({
    provider: 'modelark',
    apiKey: TEST_API_KEY,
    baseUrl: sim.baseUrl,
    timeoutMs: 5_000,
    callback: options.callback,
  });
  return startStack(options, sim, provider);
}

function simulatorClock(options: SeedanceTestStackOptions | ModelArkTestStackOptions) {
  const { env } = options;
  return env ? { clock: () => env.currentTimeMs() } : {};
}

async function startStack<Sim extends AnySimulator>(
  options: SeedanceTestStackOptions | ModelArkTestStackOptions,
  sim: Sim,
  provider: VideoTaskProvider,
): Promise<SeedanceTestStack<Sim>> {
  const { env } = options;
  const connection = options.connection ?? env?.nativeConnection;
  const client = options.client ?? env?.client;
  if (!connection || !client) {
    await sim.close();
    throw new TypeError('startSeedanceTestStack: pass `env`, or `connection` and `client`');
  }
  const outputDir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-out-'));
  const taskQueue = options.taskQueue ?? `seedance-test-${process.pid}-${++queueCounter}`;
  let storage: LocalDirectoryStorage;
  let worker: SeedanceWorker;
  try {
    storage = await LocalDirectoryStorage.create(outputDir);
    worker = await createSeedanceWorker({
      connection,
      namespace: options.namespace ?? 'default',
      taskQueue,
      provider,
      output: storage,
      download: { allowPrivateUrls: true, ...options.download },
      shutdownGraceTimeMs: 2_000,
      workflowBundle: options.workflowBundle ?? (await seedanceWorkflowBundle()),
      workerOptions: options.replayEveryTask ? { maxCachedWorkflows: 0 } : {},
      ...(options.apiRequestsPerSecond ? { apiRequestsPerSecond: options.apiRequestsPerSecond } : {}),
      ...(options.schedule ? { schedule: options.schedule } : {}),
      // The server's clock: on the time-skipping server it runs ahead of the worker's.
      ...(env ? { clock: () => env.currentTimeMs() } : {}),
    });
  } catch (error) {
    await sim.close();
    await fs.rm(outputDir, { recursive: true, force: true });
    throw error;
  }
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
