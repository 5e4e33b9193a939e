/**
 * Runs `npx seedance-temporal` as a person would: the package's built `bin` (`npm run test:cli`
 * builds `dist/` first), in a real pseudo-terminal made by util-linux `script`, or with plain
 * pipes. The pty's output is everything the terminal was sent, carriage returns and escape
 * sequences included.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
/** What the user types: npm finds the package's own `bin` (`dist/cli/main.js`). */
const COMMAND = ['npx', '--no-install', 'seedance-temporal'];

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
  const command = ['exec', ...COMMAND, ...args].map(shellQuote).join(' ');
  // `exec` is a shell word, not a quoted string.
  return run('script', ['-qfec', command.replace(/^'exec'/, 'exec'), '/dev/null'], env);
}

/** `seedance-temporal <args>` with stdout and stderr on pipes (not a terminal). */
export function runWithPipes(args: string[], env: Record<string, string>): CliRun {
  return run(COMMAND[0]!, [...COMMAND.slice(1), ...args], env);
}

function run(file: string, args: string[], env: Record<string, string>): CliRun {
  const child = spawn(file, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      npm_config_update_notifier: 'false',
      // npm's own spinner, drawn on a terminal while npx starts the bin, is not the command's output.
      npm_config_progress: 'false',
      ...env,
    },
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
