/**
 * Builds a worker for the Seedance workflows and activities. Used by `src/worker.ts`, the demo
 * and the tests, so they all run the same thing.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import path from 'node:path';
import { createActivities, type DownloadPolicy } from './activities';
import { SeedanceClient } from './seedance/client';
import { createStorage } from './storage';
import type { VideoStorage } from './storage/types';

export const WORKFLOWS_PATH = path.join(__dirname, 'workflows', 'index' + path.extname(__filename));

export interface SeedanceWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  seedance: { apiKey: string; baseUrl: string; timeoutMs?: number };
  /** A local directory, or a ready storage. */
  output: string | VideoStorage;
  download?: Partial<DownloadPolicy>;
  shutdownGraceTimeMs?: number;
  /** Pre-bundled workflow code (tests bundle once and share it). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra worker options (tests use maxCachedWorkflows: 0 to replay every task). */
  workerOptions?: Partial<WorkerOptions>;
}

export async function createSeedanceWorker(options: SeedanceWorkerOptions): Promise<Worker> {
  const client = new SeedanceClient({
    apiKey: options.seedance.apiKey,
    baseUrl: options.seedance.baseUrl,
    ...(options.seedance.timeoutMs ? { timeoutMs: options.seedance.timeoutMs } : {}),
  });
  const storage = typeof options.output === 'string' ? await createStorage(options.output) : options.output;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({ client, storage, ...(options.download ? { download: options.download } : {}) }),
    // Downloads in flight get this long to checkpoint on SIGTERM; the next worker resumes them.
    shutdownGraceTime: options.shutdownGraceTimeMs ?? 30_000,
    // A cancel reaches an activity only in a heartbeat response, and the SDK sends heartbeats at
    // most every 0.8 x heartbeatTimeout (8 s for downloadVideo). 2 s makes a `cancel` stop a
    // download within seconds and bounds what a retry re-downloads after a crash.
    maxHeartbeatThrottleInterval: '2s',
    ...options.workerOptions,
  });
}
