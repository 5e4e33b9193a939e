import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { AnySimulator, Simulator } from '../../src/simulator';
import type { SeedanceTestStack } from '../../src/testing/harness';
import { startHarness, startProviderHarness, type HarnessOptions, type ProviderHarnessOptions } from './harness';
import { createDevServerForTest, type TestDevServer } from './temporal';

export interface DevHarness<Sim extends AnySimulator = Simulator> extends SeedanceTestStack<Sim> {
  server: TestDevServer;
}

type ServerOptions = 'env' | 'connection' | 'client' | 'namespace';

/**
 * The Seedance stack on a fresh dev server (real server semantics, search attributes registered)
 * instead of the time-skipping one. `close()` stops everything, the server included.
 */
export function startDevHarness(options: Omit<HarnessOptions, ServerOptions> = {}): Promise<DevHarness> {
  return onDevServer((server) => startHarness({ ...options, ...server }));
}

/** {@link startDevHarness} for the provider under test (test/helpers/provider.ts). */
export function startProviderDevHarness(
  options: Omit<ProviderHarnessOptions, ServerOptions> = {},
): Promise<DevHarness<AnySimulator>> {
  return onDevServer((server) => startProviderHarness({ ...options, ...server }));
}

async function onDevServer<Sim extends AnySimulator>(
  start: (server: {
    connection: NativeConnection;
    client: Client;
    namespace: string;
  }) => Promise<SeedanceTestStack<Sim>>,
): Promise<DevHarness<Sim>> {
  const server = await createDevServerForTest();
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const harness = await start({ connection: nativeConnection, client, namespace: server.namespace });
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
