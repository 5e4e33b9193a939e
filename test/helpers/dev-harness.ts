import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startHarness, type Harness, type HarnessOptions } from './harness';
import { createDevServerForTest, type TestDevServer } from './temporal';

export interface DevHarness extends Harness {
  server: TestDevServer;
}

/**
 * The Seedance stack on a fresh dev server (real server semantics, search attributes registered)
 * instead of the time-skipping one. `close()` stops everything, the server included.
 */
export async function startDevHarness(
  options: Omit<HarnessOptions, 'env' | 'connection' | 'client' | 'namespace'> = {},
): Promise<DevHarness> {
  const server = await createDevServerForTest();
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const harness = await startHarness({ ...options, connection: nativeConnection, client, namespace: server.namespace });
  return {
    ...harness,
    server,
    async close() {
      await harness.close();
      await connection.close();
      await nativeConnection.close();
      await server.dispose();
    },
  };
}
