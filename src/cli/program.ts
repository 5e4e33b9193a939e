/**
 * The `seedance-temporal` program: global options (the Temporal connection, `--json`), the
 * commands, and the help's exit-code and environment sections. Usage errors exit 2.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerAwait } from './commands/await';
import { registerBatch } from './commands/batch';
import { registerCancel } from './commands/cancel';
import { registerGenerate } from './commands/generate';
import { registerList } from './commands/list';
import { registerStatus } from './commands/status';
import type { CliIO } from './context';
import { ExitCode, exitCodeHelp } from './exit-codes';

const ENVIRONMENT_HELP = `Connection (as the temporal CLI): TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE
(default "default"), TEMPORAL_API_KEY, TEMPORAL_TLS, TEMPORAL_TLS_*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE
(default ~/.config/temporalio/temporal.toml); the task queue from TEMPORAL_TASK_QUEUE (default seedance-video).
A task id names the workflow seedance-<taskId>, else the newest with SeedanceTaskId=<taskId>, else the
workflow with that id.`;

export function buildProgram(io: CliIO): Command {
  const program = new Command('seedance-temporal');
  program
    .description('Seedance videos on Temporal from a terminal: generate, follow, inspect, cancel, batch')
    .version(packageVersion(), '-V, --version')
    .option('--address <host:port>', 'Temporal address (else TEMPORAL_ADDRESS, the profile, localhost:7233)')
    .option('--namespace <name>', 'Temporal namespace (else TEMPORAL_NAMESPACE, the profile, default)')
    .option('--profile <name>', 'profile of the Temporal config file (else TEMPORAL_PROFILE, default)')
    .option('--task-queue <name>', 'task queue of the workers (else TEMPORAL_TASK_QUEUE, seedance-video)')
    .option('--json', 'print one JSON object on stdout when done, nothing else (errors too: {"ok": false, ...})')
    .addHelpText('after', `\n${exitCodeHelp()}\n\n${ENVIRONMENT_HELP}`)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  registerGenerate(program, io);
  registerAwait(program, io);
  registerStatus(program, io);
  registerCancel(program, io);
  registerList(program, io);
  registerBatch(program, io);
  return program;
}

/** Parses `argv` (without `node` and the script) and runs the command; resolves to the exit code. */
export async function runCli(argv: string[], io: Omit<CliIO, 'setExitCode'>): Promise<number> {
  let code: number = ExitCode.Ok;
  const program = buildProgram({ ...io, setExitCode: (c) => (code = c) });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; any other parse error is a usage error.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    throw error;
  }
  return code;
}

function packageVersion(): string {
  // src/cli and dist/cli both sit two levels below the package root.
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}
