/**
 * The standalone callback receiver: `npm run callback-receiver`. Configured by the environment
 * (see `loadCallbackReceiverConfig`). It listens at once and reaches Temporal lazily: while
 * Temporal is down callbacks get 503 and the provider retries, so the two may start in either
 * order. SIGINT/SIGTERM stop it gracefully (requests in flight finish first).
 */
import { Client, Connection } from '@temporalio/client';
import { ConfigError } from '../config';
import { startCallbackReceiver } from './receiver';
import { loadCallbackReceiverConfig } from './receiver-config';
import { createTemporalSignaler } from './signaler';

async function run(): Promise<void> {
  const config = loadCallbackReceiverConfig();
  const connection = Connection.lazy(config.temporal.connection);
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const signaler = createTemporalSignaler({ client });
    const receiver = await startCallbackReceiver({
      ...config.listen,
      path: config.path,
      secret: config.secret,
      signaler,
    });
    console.log(`seedance callback receiver: listening on ${receiver.url}, namespace "${config.temporal.namespace}"`);
    const probe = probeTemporal(connection, config.temporal.namespace).then(
      () => console.log('seedance callback receiver: Temporal reachable, namespace found'),
      (error: unknown) =>
        console.warn(
          `seedance callback receiver: Temporal not reachable yet (callbacks get 503 until it is): ${describe(error)}`,
        ),
    );
    await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
    console.log('seedance callback receiver: stopping');
    await receiver.close();
    // Calls still in the client's retries would fail on a closed connection: let them end first.
    await Promise.all([signaler.drain(), probe]);
  } finally {
    await connection.close();
  }
}

/**
 * One cheap call at start, so a wrong address, credentials or namespace shows in the log at once.
 * Its deadline is short: shutdown waits for it.
 */
function probeTemporal(connection: Connection, namespace: string): Promise<unknown> {
  return connection.withDeadline(Date.now() + 3_000, () => connection.workflowService.describeNamespace({ namespace }));
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

run().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error('seedance callback receiver failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
