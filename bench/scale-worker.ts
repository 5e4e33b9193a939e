/**
 * The production worker (`src/worker.ts`'s configuration and `createSeedanceWorker`) with extra
 * Worker options from `SCALE_WORKER_OPTIONS` (JSON), for the tuning runs of `bench/scale.ts`. Only
 * the benchmark starts it; without `SCALE_WORKER_OPTIONS` the benchmark runs `src/worker.ts` itself.
 */
import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { loadWorkerConfig } from '../src/config';
import { createWorkerFromConfig, installWorkerRuntime } from '../src/worker-from-config';

async function run(): Promise<void> {
  const config = loadWorkerConfig();
  const workerOptions = JSON.parse(process.env.SCALE_WORKER_OPTIONS ?? '{}') as Partial<WorkerOptions>;
  installWorkerRuntime(config);
  const connection = await NativeConnection.connect(config.temporal.connection);
  try {
    const worker = await createWorkerFromConfig(config, connection, { workerOptions });
    console.log(`seedance worker: bench overrides ${JSON.stringify(workerOptions)}`);
    await worker.run();
  } finally {
    await connection.close();
  }
}

run().catch((error: unknown) => {
  console.error('scale worker failed:', error);
  process.exit(1);
});
