#!/usr/bin/env node
/**
 * `seedance-temporal` (the package's `bin`; `npm run cli --` in this repository). Ctrl-C while
 * waiting stops the waiting only: the workflow goes on (exit 130); so does a closed pipe (141).
 */
import { ExitCode } from './exit-codes';
import { runCli } from './program';

// `seedance-temporal list | head -1`: a reader that stopped reading is not an error to report.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(ExitCode.ReaderGone);
  });
}

process.once('SIGINT', () => {
  process.stderr.write('\nStopped waiting; the workflow goes on (seedance-temporal cancel <taskId> stops it).\n');
  process.exit(ExitCode.Interrupted);
});

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `seedance-temporal: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
