/**
 * The production worker: `npm run worker`. Configured only by the environment (see README).
 * SIGINT/SIGTERM stop it gracefully: polling stops, downloads in flight checkpoint within the
 * grace time and resume on the next worker. A Temporal server that is not up yet (a host reboot
 * that starts the worker first) is waited for, so the two may start in either order.
 */
import { NativeConnection, TransportError, type NativeConnectionOptions } from '@temporalio/worker';
import { ConfigError, loadWorkerConfig } from './config';
import {
  createWorkerFromConfig,
  installWorkerRuntime,
  startCallbackReceiverFromConfig,
  startObservabilityFromConfig,
} from './worker-from-config';

async function run(): Promise<void> {
  const config = loadWorkerConfig();
  installWorkerRuntime(config);
  const connection = await connectWhenReachable(config.temporal.connection);
  if (!connection) return; // stopped by a signal while waiting for the server
  const observability = await startObservabilityFromConfig(config, connection);
  try {
    const worker = await createWorkerFromConfig(config, connection, { tracing: observability.tracing });
    const receiver = await startCallbackReceiverFromConfig(config, connection);
    if (receiver) console.log(`seedance callback receiver: ${receiver.url}`);
    console.log(
      `seedance worker: provider ${config.provider}, task queue "${config.temporal.taskQueue}", namespace "${config.temporal.namespace}", output ${config.output}`,
    );
    try {
      await worker.run(); // resolves after SIGINT/SIGTERM (the SDK's default shutdown signals) and the grace time
    } finally {
      await receiver?.close();
    }
  } finally {
    await observability.close();
    await connection.close();
  }
}

/** How long to wait for an unreachable Temporal server at start before giving up (then a supervisor restarts us). */
const CONNECT_PATIENCE_MS = 5 * 60_000;
const CONNECT_RETRY_MAX_MS = 5_000;

/**
 * Connects, retrying while the server cannot be reached (connection refused, DNS, timeouts: the
 * SDK's `TransportError`); any other error (bad TLS or auth settings) fails at once. Resolves
 * undefined if SIGINT/SIGTERM arrive while waiting.
 */
async function connectWhenReachable(options: NativeConnectionOptions): Promise<NativeConnection | undefined> {
  const started = Date.now();
  let stop: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.once('SIGINT', stop!).once('SIGTERM', stop!);
  try {
    for (let attempt = 1, delay = 500; ; attempt++, delay = Math.min(delay * 2, CONNECT_RETRY_MAX_MS)) {
      try {
        return await NativeConnection.connect(options);
      } catch (error) {
        if (!(error instanceof TransportError) || Date.now() - started + delay > CONNECT_PATIENCE_MS) throw error;
        console.error(
          `Temporal server at ${options.address ?? 'localhost:7233'} not reachable yet (attempt ${attempt}); retrying in ${delay} ms`,
        );
      }
      let timer: NodeJS.Timeout | undefined;
      const wake = await Promise.race([
        stopped.then(() => 'stop' as const),
        new Promise<'retry'>((resolve) => (timer = setTimeout(() => resolve('retry'), delay))),
      ]);
      clearTimeout(timer);
      if (wake === 'stop') return undefined;
    }
  } finally {
    process.off('SIGINT', stop!).off('SIGTERM', stop!);
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
