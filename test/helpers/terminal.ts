/**
 * Runs `seedance-temporal` (from source, through tsx) as a person would: in a real pseudo-terminal
 * made by util-linux `script`, or with plain pipes. The pty's output is everything the terminal
 * was sent, carriage returns and escape sequences included.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(__dirname, '../..');
const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const CLI_ENTRY = path.join(ROOT, 'src/cli/main.ts');

export interface CliRun {
  /** All output so far (stdout and stderr, merged by the terminal). */
  output(): string;
  /** Resolves when the output matches `pattern`; rejects after `timeoutMs` or when the command ended first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The exit code. */
  exited: Promise<number>;
  /** Stdout alone (pipes only; the terminal merges it with stderr). */
  stdout(): string;
}

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `seedance-temporal <args>` inside a pseudo-terminal (`script -qfec`). */
export function runInTerminal(args: string[], env: Record<string, string>): CliRun {
  const command = ['exec', process.execPath, '--import', TSX_LOADER, CLI_ENTRY, ...args].map(shellQuote).join(' ');
  // `exec` is a shell word, not a quoted string.
  return run('script', ['-qfec', command.replace(/^'exec'/, 'exec'), '/dev/null'], env);
}

/** `seedance-temporal <args>` with stdout and stderr on pipes (not a terminal). */
export function runWithPipes(args: string[], env: Record<string, string>): CliRun {
  return run(process.execPath, ['--import', TSX_LOADER, CLI_ENTRY, ...args], env);
}

function run(file: string, args: string[], env: Record<string, string>): CliRun {
  const child = spawn(file, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let all = '';
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    all += d.toString();
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => (all += d.toString()));
  const exited = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1))),
  );
  let done = false;
  void exited.then(() => (done = true));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  return {
    output: () => all,
    stdout: () => out,
    exited,
    async waitFor(pattern, timeoutMs = 30_000) {
      const started = Date.now();
      for (;;) {
        const match = all.match(pattern);
        if (match) return match;
        if (done) throw new Error(`the command ended before printing ${pattern}:\n${all}`);
        if (Date.now() - started > timeoutMs) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${all}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** The lines a terminal showed over time: every redraw (`\r`, clear line) and newline starts a new one. */
export function screenLines(output: string): string[] {
  return output
    .split(/\r\x1b\[2K|\r?\n|\r/)
    .map((line) => line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trimEnd())
    .filter((line) => line !== '');
}
