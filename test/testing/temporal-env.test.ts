import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDevServerForTest, createTimeSkippingEnv, type TestDevServer } from '../helpers/temporal';

const HOUR_MS = 60 * 60 * 1000;

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  test('skips an hour of server time in well under a second', async () => {
    expect(env.supportsTimeSkipping).toBe(true);
    const before = await env.currentTimeMs();
    const started = performance.now();
    await env.sleep('1 hour');
    const elapsed = performance.now() - started;
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(HOUR_MS);
    expect(elapsed).toBeLessThan(1_000);
  });
});

describe('dev server', () => {
  let server: TestDevServer;
  beforeAll(async () => {
    server = await createDevServerForTest();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  test('registers the Seedance search attributes', async () => {
    const { stdout, code } = await server.cli(['operator', 'search-attribute', 'list']);
    expect(code).toBe(0);
    for (const name of ['SeedanceTaskId', 'SeedanceModel', 'SeedanceStatus']) {
      expect(stdout).toMatch(new RegExp(`${name}\\s+Keyword`));
    }
  });

  test('keeps its state across kill -9 and restart', async () => {
    const created = await server.cli(['operator', 'namespace', 'create', '--namespace', 'survives-crash']);
    expect(created.code, created.stderr).toBe(0);
    const oldPid = server.pid;

    await server.kill('SIGKILL');
    await server.restart();

    expect(server.pid).not.toBe(oldPid);
    const described = await server.cli(['operator', 'namespace', 'describe', '--namespace', 'survives-crash']);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toContain('survives-crash');
  });
});
