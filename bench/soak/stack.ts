/**
 * Everything the soak runs against: SeaweedFS with the output bucket, the simulator in this process
 * (fast timings, set per task from the plan), a dev server on a SQLite file that survives kill -9,
 * a client, and the worker fleet writing to `s3://<bucket>/<prefix>`.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../src/create-worker';
import { createSimulator, type Simulator } from '../../src/simulator';
import { startDevServer, type DevServer } from '../../src/testing/dev-server';
import { startTestBucket, type TestBucket } from '../../test/helpers/s3-bucket';
import { promptOf } from './creates';
import { WorkerFleet } from './fleet';
import type { PlannedVideo } from './plan';

const API_KEY = 'sk-soak-0123456789abcdef';
export const BUCKET = 'soak-videos';
export const PREFIX = 'out/';
export const WORKER_COUNT = 3;
const quiet = new DefaultLogger('WARN');

export interface SoakStack {
  root: string;
  bucket: TestBucket;
  sim: Simulator;
  server: DevServer;
  client: Client;
  fleet: WorkerFleet;
  close(): Promise<void>;
}

export async function startSoakStack(plan: readonly PlannedVideo[]): Promise<SoakStack> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-soak-'));
  const [bucket, sim, server] = await Promise.all([
    startTestBucket(BUCKET),
    createSimulator({ apiKey: API_KEY, profile: 'fast' }),
    startDevServer({ headless: true, dbFile: path.join(root, 'temporal.db') }),
  ]);
  shapeCreatedTasks(sim, plan);
  // The client reconnects by itself once the server is back on the same port.
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  // Bundled once, as a deploy would: each restart then starts in seconds instead of running webpack.
  const bundleFile = path.join(root, 'workflows.js');
  await fs.writeFile(bundleFile, (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet })).code);
  const fleet = await WorkerFleet.start(root, WORKER_COUNT, {
    SEEDANCE_WORKFLOW_BUNDLE: bundleFile,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    SEEDANCE_API_KEY: API_KEY,
    SEEDANCE_BASE_URL: sim.url,
    SEEDANCE_ALLOW_PRIVATE_URLS: 'true',
    SEEDANCE_OUTPUT: `s3://${BUCKET}/${PREFIX}`,
    ...bucket.server.env,
  });
  return {
    root,
    bucket,
    sim,
    server,
    client,
    fleet,
    async close() {
      await fleet.stop();
      await connection.close().catch(() => undefined);
      await sim.close();
      await server.stop();
      await bucket.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

/** A created task gets the planned render time, and a failing one the failed outcome. */
function shapeCreatedTasks(sim: Simulator, plan: readonly PlannedVideo[]): void {
  const byKey = new Map(plan.map((video) => [video.requestKey, video]));
  sim.onRequest = (entry) => {
    if (entry.kind !== 'create' || !entry.taskId || !entry.createRequest) return;
    const video = byKey.get(promptOf(entry.createRequest));
    const task = sim.getTask(entry.taskId);
    if (!video || !task) return;
    task.timing = { ...video.timing };
    if (video.kind === 'generate-failing') sim.setOutcome(task.id, 'failed', 'soak: the provider failed this task');
  };
}
