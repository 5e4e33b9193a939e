/**
 * The production worker: `npm run worker`. Configured only by the environment (see README).
 * SIGINT/SIGTERM stop it gracefully: polling stops, downloads in flight checkpoint within the
 * grace time and resume on the next worker.
 */
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { ConfigError, loadWorkerConfig } from './config';
import { createSeedanceWorker } from './create-worker';

async function run(): Promise<void> {
  const config = loadWorkerConfig();
  Runtime.install({
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      ...(config.prometheusAddress ? { metrics: { prometheus: { bindAddress: config.prometheusAddress } } } : {}),
    },
  });
  const connection = await NativeConnection.connect(config.temporal.connection);
  try {
    const worker = await createSeedanceWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      seedance: config.seedance,
      output: config.output,
      download: config.download,
      shutdownGraceTimeMs: config.shutdownGraceTimeMs,
    });
    console.log(
      `seedance worker: task queue "${config.temporal.taskQueue}", namespace "${config.temporal.namespace}", output ${config.output}`,
    );
    await worker.run(); // resolves after SIGINT/SIGTERM (the SDK's default shutdown signals) and the grace time
  } finally {
    await connection.close();
  }
}

run().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error('seedance worker failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
