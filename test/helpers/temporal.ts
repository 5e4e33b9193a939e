import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import { toExecutable } from '../../src/testing/binaries';
import { startDevServer, type DevServer, type DevServerOptions } from '../../src/testing/dev-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the `temporal` CLI, or null when not found (then the SDK downloads its own). */
    temporalCliPath: string | null;
    /** Path of the time-skipping test server, or null when not found. */
    testServerPath: string | null;
    /**
     * Where test/global-setup.ts writes the workflow bundle (in the background), or an error;
     * null when no test file of the run seemed to need it.
     */
    workflowBundle: { file: string; errorFile: string } | null;
  }
}

/** A time-skipping environment on the test server found by the global setup. Call `teardown()` after. */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: toExecutable(inject('testServerPath') ?? undefined) },
  });
}

export interface TestDevServer extends DevServer {
  /** Stops the server and deletes its temp folder (db and log). */
  dispose(): Promise<void>;
}

/** A headless dev server on a fresh SQLite file in a temp folder. Call `dispose()` after. */
export async function createDevServerForTest(opts: Omit<DevServerOptions, 'dbFile'> = {}): Promise<TestDevServer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-test-'));
  try {
    const server = await startDevServer({
      headless: true,
      cliPath: inject('temporalCliPath') ?? undefined,
      ...opts,
      dbFile: path.join(dir, 'temporal.db'),
    });
    return Object.assign(server, {
      async dispose() {
        await server.stop();
        await fs.rm(dir, { recursive: true, force: true });
      },
    });
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
}
