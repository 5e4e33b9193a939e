/**
 * A `temporal server start-dev` process for tests, the demo and benchmarks: SQLite state that
 * survives kill -9, the Seedance search attributes registered, and the CLI driven with the
 * server's address.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_KEYS } from '../contract/definitions';
import { findTemporalCli } from './binaries';
import { freePort } from './ports';

/** The `temporal` CLI's names for the search-attribute types we use. */
const CLI_TYPE_NAMES: Record<string, string> = { KEYWORD: 'Keyword' };

/** `--search-attribute` values for the Seedance search attributes, registered on every dev server unless `searchAttributes: false`. */
export const SEEDANCE_SEARCH_ATTRIBUTE_FLAGS: readonly string[] = SEARCH_ATTRIBUTE_KEYS.map(
  (key) => `${key.name}=${CLI_TYPE_NAMES[key.type]}`,
);

export interface DevServerOptions {
  /** SQLite file that keeps all state across kill -9 and restart (default: a new temp file). */
  dbFile?: string;
  /** Frontend gRPC port (default: a free port). */
  port?: number;
  /** Web UI port (default: a free port). */
  uiPort?: number;
  /** Created at start if not `default` (default: `default`). */
  namespace?: string;
  /** Register the Seedance search attributes (default true). */
  searchAttributes?: boolean;
  /** No Web UI (default false). */
  headless?: boolean;
  /** Server stdout and stderr (default: `<dbFile>.log`). */
  logFile?: string;
  /** The `temporal` binary (default: `findTemporalCli()`). */
  cliPath?: string;
  /** How long to wait for the frontend to answer (default 60 s). */
  startTimeoutMs?: number;
  /**
   * Dynamic config values (`--dynamic-config-value key=json`). Default {@link ONE_PARTITION_PER_QUEUE}:
   * the API budget is exact only on a one-partition queue (README, "One API budget").
   */
  dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
}

/** Every task queue on one partition, as a production server would configure the `-api` queue. */
export const ONE_PARTITION_PER_QUEUE = {
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
} as const;

export interface CliOptions {
  /** Added to the environment (TEMPORAL_* variables of this process are not passed on). */
  env?: Record<string, string>;
  /** Kill the CLI after this long (default 60 s). */
  timeoutMs?: number;
  /** Written to the CLI's stdin. */
  input?: string;
}

export interface CliResult {
  stdout: string;
  stderr: string;
  /** Exit code; null if the CLI was killed by a signal (e.g. on timeout). */
  code: number | null;
}

export interface DevServer {
  /** `127.0.0.1:<port>` */
  readonly address: string;
  /** `http://127.0.0.1:<uiPort>` */
  readonly uiUrl: string;
  readonly namespace: string;
  readonly dbFile: string;
  readonly logFile: string;
  /** Pid of the current server process (changes on restart). */
  readonly pid: number;
  /** Signal the server's process group and wait for it to exit (default SIGKILL: a crash). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start again on the same db file and ports (stops the server first if it runs). */
  restart(): Promise<void>;
  /** Graceful stop: SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** Run the `temporal` CLI against this server (`--address` appended, namespace via env). */
  cli(args: string[], opts?: CliOptions): Promise<CliResult>;
}

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const cliPath = opts.cliPath ?? (await findTemporalCli());
  if (!cliPath) {
    throw new Error('Temporal CLI not found and could not be installed; set TEMPORAL_CLI_PATH or run `npm run tools`');
  }
  const dbFile = path.resolve(
    opts.dbFile ?? path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-temporal-')), 'temporal.db'),
  );
  await fs.mkdir(path.dirname(dbFile), { recursive: true });
  const logFile = path.resolve(opts.logFile ?? `${dbFile}.log`);
  const port = opts.port ?? (await freePort());
  const uiPort = opts.uiPort ?? (await freePort([port]));
  const namespace = opts.namespace ?? 'default';
  const address = `127.0.0.1:${port}`;
  const args = devServerArgs({ ...opts, dbFile, port, uiPort, namespace });

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = () => {
    if (child?.pid) signalGroup(child.pid, 'SIGKILL');
  };

  const launch = async () => {
    const log = await fs.open(logFile, 'a');
    try {
      // Own process group, so kill() reaches everything the CLI starts, like a real crash would.
      child = spawn(cliPath, args, { detached: true, stdio: ['ignore', log.fd, log.fd], env: withoutTemporalEnv() });
    } finally {
      await log.close();
    }
    const current = child;
    exited = new Promise((resolve) => current.once('exit', () => resolve()));
    process.on('exit', killOnExit);
    try {
      await waitUntilReady(address, namespace, current, opts.startTimeoutMs ?? 60_000);
    } catch (err) {
      await kill('SIGKILL');
      const tail = (await fs.readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-20).join('\n');
      throw new Error(`${(err as Error).message}\n${cliPath} ${args.join(' ')}\n${tail}`);
    }
  };

  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (running() && child?.pid) signalGroup(child.pid, signal);
    await exited;
    process.off('exit', killOnExit);
  };

  const stop = async () => {
    if (!running()) return kill();
    const timer = setTimeout(() => child?.pid && signalGroup(child.pid, 'SIGKILL'), 10_000);
    try {
      await kill('SIGTERM');
    } finally {
      clearTimeout(timer);
    }
  };

  await launch();

  return {
    address,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    namespace,
    dbFile,
    logFile,
    get pid() {
      return child?.pid ?? -1;
    },
    kill,
    stop,
    async restart() {
      await stop();
      await launch();
    },
    cli(cliArgs, cliOpts = {}) {
      return runCli(cliPath, [...cliArgs, '--address', address], {
        ...cliOpts,
        env: { TEMPORAL_NAMESPACE: namespace, ...cliOpts.env },
      });
    },
  };
}

function devServerArgs(
  o: Required<Pick<DevServerOptions, 'dbFile' | 'port' | 'uiPort' | 'namespace'>> & DevServerOptions,
) {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--ui-port', String(o.uiPort)];
  if (o.headless) args.push('--headless');
  args.push('--db-filename', o.dbFile, '--log-level', 'warn');
  if (o.namespace !== 'default') args.push('--namespace', o.namespace);
  for (const [key, value] of Object.entries(o.dynamicConfig ?? ONE_PARTITION_PER_QUEUE)) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  if (o.searchAttributes !== false) {
    for (const flag of SEEDANCE_SEARCH_ATTRIBUTE_FLAGS) args.push('--search-attribute', flag);
  }
  return args;
}

async function waitUntilReady(address: string, namespace: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`temporal dev server exited early (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    let connection: Connection | undefined;
    try {
      // connect() itself calls getSystemInfo; describeNamespace proves the namespace is served too.
      connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (err) {
      lastError = err;
    } finally {
      await connection?.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`temporal dev server at ${address} not ready after ${timeoutMs} ms: ${String(lastError)}`);
}

/** Runs `cliPath args` to completion, collecting its output. */
export function runCli(cliPath: string, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cliPath, args, { env: { ...withoutTemporalEnv(), ...opts.env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    child.stdin.on('error', () => undefined); // EPIPE if the CLI exits without reading stdin
    child.stdin.end(opts.input ?? '');
  });
}

/** The CLI reads TEMPORAL_ADDRESS, TEMPORAL_API_KEY etc.; a developer's settings must not leak in. */
function withoutTemporalEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TEMPORAL_')));
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
