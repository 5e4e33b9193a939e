/**
 * The Seedance worker, in two layers:
 * - {@link seedanceWorkerOptions}: the activities, the workflow code and every worker option the
 *   package's guarantees rely on, to spread into your own `Worker.create({...})`;
 * - {@link createSeedanceWorker}: a ready worker built on it (used by `src/worker.ts`, the demo
 *   and the tests, so they all run the same thing).
 */
import { NativeConnection, Worker, type ActivityInterceptorsFactory, type WorkerOptions } from '@temporalio/worker';
import path from 'node:path';
import {
  createActivities,
  type Activities,
  type DownloadPolicy,
  type ProviderDependency,
  type SeedanceApi,
} from './activities';
import { apiQueueRateLimit } from './activities/api-budget';
import { countActivityFailures } from './activities/activity-metrics';
import type { SeedanceTracing } from './observability/tracing-plugin';
import { DEFAULT_TASK_QUEUE, apiTaskQueueFor } from './contract/names';
import { SeedanceClient, type SeedanceClientOptions } from './seedance/client';
import type { VideoTaskProvider } from './seedance/provider';
import { createStorage } from './storage';
import type { VideoStorage } from './storage/types';

/** The workflow entry point the worker bundles (`seedance-temporal/workflows`). */
export const WORKFLOWS_PATH = path.join(__dirname, 'workflows', 'index' + path.extname(__filename));

/**
 * A cancel reaches an activity only in a heartbeat response, and the SDK sends heartbeats at most
 * every 0.8 x heartbeatTimeout (8 s for downloadVideo). 2 s makes a `cancel` stop a download
 * within seconds and bounds what a retry re-downloads after a crash.
 */
export const MAX_HEARTBEAT_THROTTLE_INTERVAL = '2s';

/** Downloads in flight get this long to checkpoint on SIGTERM; the next worker resumes them. */
export const DEFAULT_SHUTDOWN_GRACE_TIME_MS = 30_000;

/**
 * The provider's API: `provider` (a `ModelArkProvider`, a `ResellerProvider`, or your own
 * {@link VideoTaskProvider}), or `client`, the reseller's {@link SeedanceClient} (or any object
 * with its two calls), which is put behind the reseller adapter.
 */
export type SeedanceWorkerDependencies = ProviderDependency & SeedanceWorkerSettings;

export interface SeedanceWorkerSettings {
  /** Where videos go: `await LocalDirectoryStorage.create(dir)` or `await createStorage(output)`. */
  storage: VideoStorage;
  /** Download limits and URL policy. @default DEFAULT_DOWNLOAD_POLICY */
  download?: Partial<DownloadPolicy>;
  /** Pre-bundled workflow code (`bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH })`); default: bundle at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** @default 30_000 */
  shutdownGraceTimeMs?: number;
  /** @default 'seedance-video' */
  taskQueue?: string;
  /**
   * The fleet's budget of requests per second to the provider's API. When set, new runs send every
   * activity that calls the API to `<taskQueue>-api`, which a second worker serves with this
   * rate limit ({@link seedanceApiWorkerOptions}). Every worker of the fleet must agree.
   */
  apiRequestsPerSecond?: number;
  /** `adaptive`: checks spaced by the completion times this worker has seen; `documented`: the documented interval. @default 'adaptive' */
  schedule?: 'documented' | 'adaptive';
  /** The server's clock as the worker reads it (see `ActivityDependencies.clock`). @default Date.now */
  clock?: () => number | Promise<number>;
}

/**
 * What {@link seedanceWorkerOptions} returns: spread it, then add your connection and overrides.
 * Its `interceptors` count activity failures (`seedance_activity_failures_total`): merge yours in.
 */
export type SeedanceWorkerOptionSet = Required<
  Pick<WorkerOptions, 'taskQueue' | 'maxHeartbeatThrottleInterval' | 'shutdownGraceTime'>
> & { activities: Activities; interceptors: { activity: ActivityInterceptorsFactory[] } } & Pick<
    WorkerOptions,
    'workflowsPath' | 'workflowBundle'
  >;

/**
 * Everything a worker needs to run the Seedance workflows and activities with the guarantees the
 * README promises (cancel within ~2 s, downloads checkpointed on shutdown).
 *
 * @example
 * const storage = await LocalDirectoryStorage.create('/var/videos');
 * const client = new SeedanceClient({ apiKey: process.env.SEEDANCE_API_KEY! });
 * const worker = await Worker.create({
 *   connection,
 *   ...seedanceWorkerOptions({ client, storage }),
 *   taskQueue: 'my-queue', // optional: default `seedance-video`
 * });
 *
 * To run your own workflows and activities on the same worker, merge rather than override:
 * `activities: { ...seedance.activities, ...mine }`, and a workflows file of your own that
 * does `export * from 'seedance-temporal/workflows'` as `workflowsPath`.
 */
export function seedanceWorkerOptions(deps: SeedanceWorkerDependencies): SeedanceWorkerOptionSet {
  const taskQueue = deps.taskQueue ?? DEFAULT_TASK_QUEUE;
  return {
    taskQueue,
    activities: createActivities({
      ...(deps.provider ? { provider: deps.provider } : { client: deps.client! }),
      storage: deps.storage,
      ...(deps.download ? { download: deps.download } : {}),
      apiTaskQueue: deps.apiRequestsPerSecond ? apiTaskQueueFor(taskQueue) : null,
      ...(deps.apiRequestsPerSecond ? { apiRequestsPerSecond: deps.apiRequestsPerSecond } : {}),
      ...(deps.schedule ? { schedule: deps.schedule } : {}),
      ...(deps.clock ? { clock: deps.clock } : {}),
    }),
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    shutdownGraceTime: deps.shutdownGraceTimeMs ?? DEFAULT_SHUTDOWN_GRACE_TIME_MS,
    maxHeartbeatThrottleInterval: MAX_HEARTBEAT_THROTTLE_INTERVAL,
    interceptors: { activity: [countActivityFailures] },
  };
}

/**
 * The second worker of a fleet with an API budget: it serves `<taskQueue>-api`, where new runs send
 * `checkStatus`, `pollStatus`, `createVideoTask` and `downloadVideo` (whose URL read is an API call). Temporal
 * enforces `maxTaskQueueActivitiesPerSecond` for the queue as a whole, so the budget holds for the
 * fleet, however many workers poll it (at the rate {@link apiQueueRateLimit} derives from it, and
 * with the queue on one partition: see the README); a download is held back only at its start, never while its
 * bytes stream. `options` is what {@link seedanceWorkerOptions} returned with `apiRequestsPerSecond`
 * (the two workers share its activities, hence its video-URL cache).
 */
export function seedanceApiWorkerOptions(options: SeedanceWorkerOptionSet, requestsPerSecond: number) {
  const { checkStatus, pollStatus, createVideoTask, downloadVideo } = options.activities;
  return {
    taskQueue: apiTaskQueueFor(options.taskQueue),
    activities: { checkStatus, pollStatus, createVideoTask, downloadVideo },
    maxTaskQueueActivitiesPerSecond: apiQueueRateLimit(requestsPerSecond),
    maxHeartbeatThrottleInterval: options.maxHeartbeatThrottleInterval,
    shutdownGraceTime: options.shutdownGraceTime,
    interceptors: options.interceptors,
  } satisfies Partial<WorkerOptions>;
}

/** The workers of one Seedance worker process, run and stopped together. */
export class SeedanceWorker {
  constructor(readonly workers: readonly Worker[]) {}

  /** Runs every worker until shutdown (SIGINT/SIGTERM or {@link shutdown}); one failing stops the rest. */
  async run(): Promise<void> {
    const runs = this.workers.map((worker) => worker.run());
    try {
      await Promise.all(runs);
    } catch (error) {
      this.shutdown();
      await Promise.allSettled(runs);
      throw error;
    }
  }

  shutdown(): void {
    for (const worker of this.workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  }

  /** The state of the workflow worker. */
  getState(): ReturnType<Worker['getState']> {
    return this.workers[0]!.getState();
  }
}

export interface SeedanceWorkerOptions {
  connection: NativeConnection;
  /** @default 'default' */
  namespace?: string;
  /** @default 'seedance-video' */
  taskQueue?: string;
  /** Options of the built-in reseller {@link SeedanceClient}; ignored when `provider` or `client` is given. */
  seedance?: SeedanceClientOptions;
  /** The provider's API (e.g. a `ModelArkProvider`); wins over `client` and `seedance`. */
  provider?: VideoTaskProvider;
  /** Your own reseller API client (a proxy dispatcher, a custom CA, a test double). */
  client?: SeedanceApi;
  /** A local directory, or a ready storage. */
  output: string | VideoStorage;
  download?: Partial<DownloadPolicy>;
  /** @default 30_000 */
  shutdownGraceTimeMs?: number;
  /** Pre-bundled workflow code (tests bundle once and share it). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra worker options, applied last (tests use `maxCachedWorkflows: 0` to replay every task). */
  workerOptions?: Partial<WorkerOptions>;
  /** The fleet's API budget, requests per second (`SEEDANCE_API_RPS`); default: none. */
  apiRequestsPerSecond?: number;
  /** `SEEDANCE_SCHEDULE`. @default 'adaptive' */
  schedule?: 'documented' | 'adaptive';
  /** The server's clock as the worker reads it: `testEnv.currentTimeMs()` on the time-skipping server. @default Date.now */
  clock?: () => number | Promise<number>;
  /** OpenTelemetry spans of workflows, activities and their HTTP calls (`seedance-temporal/tracing`). @default off */
  tracing?: SeedanceTracing;
}

export async function createSeedanceWorker(options: SeedanceWorkerOptions): Promise<SeedanceWorker> {
  if (!options.provider && !options.client && !options.seedance) {
    throw new TypeError('createSeedanceWorker: pass `provider`, `client` or `seedance` (reseller client options)');
  }
  const api: ProviderDependency = options.provider
    ? { provider: options.provider }
    : { client: options.client ?? new SeedanceClient(options.seedance!) };
  const storage = typeof options.output === 'string' ? await createStorage(options.output) : options.output;
  const main = seedanceWorkerOptions({
    ...api,
    storage,
    ...(options.download ? { download: options.download } : {}),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
    ...(options.shutdownGraceTimeMs !== undefined ? { shutdownGraceTimeMs: options.shutdownGraceTimeMs } : {}),
    ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
    ...(options.apiRequestsPerSecond ? { apiRequestsPerSecond: options.apiRequestsPerSecond } : {}),
    ...(options.schedule ? { schedule: options.schedule } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const shared = {
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    // Loaded only when traced: the SDK's OpenTelemetry plugin and its dependencies are not small.
    ...(options.tracing
      ? { plugins: [(await import('./observability/tracing-plugin.js')).seedanceTracingPlugin(options.tracing)] }
      : {}),
  };
  const workers = [await Worker.create({ ...shared, ...main, ...options.workerOptions })];
  if (options.apiRequestsPerSecond) {
    const api = seedanceApiWorkerOptions(main, options.apiRequestsPerSecond);
    workers.push(await Worker.create({ ...shared, ...api }));
  }
  return new SeedanceWorker(workers);
}
