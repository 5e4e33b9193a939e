/**
 * The production worker (`src/worker.ts`) as a child process, configured only by its environment,
 * exactly as `npm run worker` runs it. Tests kill it (-9, SIGTERM, SIGSTOP) and read its log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(__dirname, '../..');
const READY_LINE = 'seedance worker:';

export interface WorkerProcess {
  readonly pid: number;
  /** Everything the worker printed so far (stdout and stderr). */
  log(): string;
  /** Sends `signal` (default SIGKILL) unless the process is gone, and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** Sends `signal` without waiting for an exit: SIGSTOP / SIGCONT freeze and thaw the worker. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves when the log contains `text` (or matches it); rejects after `timeoutMs` or on exit. */
  waitForLog(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves once the worker printed its start line (it is polling from then on). */
  ready: Promise<void>;
  exited: Promise<number | null>;
}

export interface StartWorkerOptions {
  /** Wait for the start line before returning (default true). */
  waitUntilReady?: boolean;
  /**
   * Working directory of the worker, as if it ran on its own machine (default: the repository).
   * `TMPDIR` in `env` gives it its own temporary directory too.
   */
  cwd?: string;
}

const TSX_LOADER = path.join(ROOT, 'node_modules/tsx/dist/loader.mjs');
const WORKER_ENTRY = path.join(ROOT, 'src/worker.ts');

export async function startWorkerProcess(
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
  options: StartWorkerOptions = {},
): Promise<WorkerProcess> {
  const bundle = await testRunBundle(env);
  const child: ChildProcess = spawn(process.execPath, ['--import', pathToFileURL(TSX_LOADER).href, WORKER_ENTRY], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...bundle, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  const waitForLog = async (text: string | RegExp, timeoutMs = 60_000): Promise<void> => {
    const started = Date.now();
    const found = () => (typeof text === 'string' ? output.includes(text) : text.test(output));
    while (!found()) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `worker exited (${child.exitCode ?? child.signalCode}) before logging ${String(text)}:\n${output}`,
        );
      }
      if (Date.now() - started > timeoutMs)
        throw new Error(`worker did not log ${String(text)} within ${timeoutMs} ms:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const ready = waitForLog(READY_LINE, readyTimeoutMs).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  if (options.waitUntilReady === false) ready.catch(() => undefined);
  else await ready;

  return {
    pid: child.pid!,
    log: () => output,
    exited,
    ready,
    waitForLog,
    signal(signal: NodeJS.Signals) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Under vitest, workers start on the test run's prebuilt workflow bundle (`SEEDANCE_WORKFLOW_BUNDLE`)
 * instead of bundling at start (5-30 s of webpack per process on two cores); benchmarks outside
 * vitest leave it to the worker.
 */
async function testRunBundle(env: Record<string, string>): Promise<Record<string, string>> {
  if (!process.env.VITEST || env.SEEDANCE_WORKFLOW_BUNDLE) return {};
  const { workflowBundleFile } = await import('./harness.js');
  return { SEEDANCE_WORKFLOW_BUNDLE: await workflowBundleFile() };
}
