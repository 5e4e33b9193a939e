/**
 * What every command gets: its output (human or `--json`), the progress line, and a Temporal
 * client made on first use, so bad input is refused (exit 2) before any connection is tried.
 * {@link runAction} turns the action's end, or its error, into the exit code.
 */
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { connect, loadCliSettings, type CliConnection, type CliSettings, type ConnectionFlags } from './connection';
import { describeError, ExitCode } from './exit-codes';
import { LiveLine, type LineStream } from './live-line';
import { createOutput, type Output } from './output';

export interface CliIO {
  stdout: NodeJS.WritableStream;
  /** The progress line goes here (a terminal's `isTTY` and `columns` are read from it). */
  stderr: NodeJS.WritableStream & LineStream;
  env: Record<string, string | undefined>;
  /** Where the action's exit code goes (main sets `process.exitCode`). */
  setExitCode(code: number): void;
}

export interface CommandContext {
  out: Output;
  /** The progress line for `--wait`; undefined with `--json`. */
  line: LiveLine | undefined;
  /** Connection settings from the environment, profile and flags. */
  settings(): CliSettings;
  /** Connects on first call. */
  client(): Promise<Client>;
}

/** Global flags, as commander hands them to every command. */
export interface GlobalFlags extends ConnectionFlags {
  json?: boolean;
}

/** Runs a command's action with its context and sets the exit code from its result or error. */
export async function runAction(
  io: CliIO,
  command: Command,
  action: (context: CommandContext) => Promise<ExitCode>,
): Promise<void> {
  const flags = command.optsWithGlobals<GlobalFlags>();
  const out = createOutput(flags.json === true, io.stdout, io.stderr);
  let settings: CliSettings | undefined;
  let connection: CliConnection | undefined;
  const context: CommandContext = {
    out,
    line: out.json ? undefined : new LiveLine(io.stderr),
    settings: () => (settings ??= loadCliSettings(io.env, flags)),
    client: async () => {
      connection ??= await connect(context.settings());
      return connection.client;
    },
  };
  let code: number;
  try {
    code = await action(context);
  } catch (error) {
    const described = describeError(error);
    code = described.exitCode;
    if (out.json) {
      out.emit({
        ok: false,
        exitCode: code,
        ...described.details,
        error: { type: described.type, message: described.message },
      });
    } else {
      const type = described.type && code !== ExitCode.Usage ? ` [${described.type}]` : '';
      io.stderr.write(`seedance-temporal: ${described.message}${type}\n`);
    }
  } finally {
    await connection?.close().catch(() => undefined);
  }
  io.setExitCode(code);
}
