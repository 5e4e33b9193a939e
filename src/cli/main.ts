#!/usr/bin/env node
/**
 * `seedance-temporal` (the package's `bin`; `npm run cli --` in this repository). Ctrl-C while
 * waiting stops the waiting only: the workflow goes on (exit 130).
 */
import { runCli } from './program';

process.once('SIGINT', () => {
  process.stderr.write('\nStopped waiting; the workflow goes on (seedance-temporal cancel <taskId> stops it).\n');
  process.exit(130);
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
