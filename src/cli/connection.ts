/**
 * The Temporal connection of the command: the same environment and profiles as the `temporal` CLI
 * (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS*`, `TEMPORAL_PROFILE`,
 * `TEMPORAL_CONFIG_FILE` or the default config file), read by `@temporalio/envconfig`, and the task
 * queue from `TEMPORAL_TASK_QUEUE` like the worker. Flags (`--address`, `--namespace`,
 * `--profile`, `--task-queue`) win over the environment. No secret is ever put in a message.
 */
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { DEFAULT_TASK_QUEUE } from '../contract/names';
import { CliError, ExitCode, UsageError } from './exit-codes';

/** The global flags that pick the connection. */
export interface ConnectionFlags {
  address?: string | undefined;
  namespace?: string | undefined;
  profile?: string | undefined;
  taskQueue?: string | undefined;
}

export interface CliSettings {
  connection: ConnectionOptions;
  /** Where we connect, for messages (no credentials in it). */
  address: string;
  namespace: string;
  taskQueue: string;
}

const DEFAULT_ADDRESS = 'localhost:7233';
/** Long enough for a TLS handshake to Temporal Cloud, short enough that a wrong address is told soon. */
const CONNECT_TIMEOUT = '5s';

/** Reads the connection settings from `env` and the flags. @throws UsageError when they are invalid. */
export function loadCliSettings(env: Record<string, string | undefined>, flags: ConnectionFlags = {}): CliSettings {
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') present[key] = value;
  if (flags.address) present.TEMPORAL_ADDRESS = flags.address;
  if (flags.namespace) present.TEMPORAL_NAMESPACE = flags.namespace;
  if (flags.profile) present.TEMPORAL_PROFILE = flags.profile;
  let loaded: ReturnType<typeof loadClientConnectConfig>;
  try {
    loaded = loadClientConnectConfig({ overrideEnvVars: present });
  } catch (error) {
    // envconfig's messages name files and keys, not values.
    throw new UsageError(
      `invalid Temporal connection settings (TEMPORAL_*, profile, config file): ${error instanceof Error ? error.message : 'unreadable'}`,
    );
  }
  const address = loaded.connectionOptions.address ?? DEFAULT_ADDRESS;
  return {
    connection: { ...(loaded.connectionOptions as ConnectionOptions), address },
    address,
    namespace: loaded.namespace ?? 'default',
    taskQueue: flags.taskQueue ?? present.TEMPORAL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
  };
}

export interface CliConnection {
  client: Client;
  settings: CliSettings;
  close(): Promise<void>;
}

/** Connects to Temporal. @throws CliError with {@link ExitCode.Connection} when it cannot. */
export async function connect(settings: CliSettings): Promise<CliConnection> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...settings.connection, connectTimeout: CONNECT_TIMEOUT });
  } catch (error) {
    const why = error instanceof Error ? error.message : 'unknown error';
    throw new CliError(
      `cannot connect to Temporal at ${settings.address} (namespace ${settings.namespace}): ${why}`,
      ExitCode.Connection,
      'ConnectionError',
    );
  }
  return {
    client: new Client({ connection, namespace: settings.namespace }),
    settings,
    close: () => connection.close(),
  };
}
