/**
 * Scenario 23 (docs/reliability-scenarios.md): the output directory is a 64 KiB tmpfs, smaller than
 * the 177 KB video. The download fails with the retryable SeedanceStorageFull, keeps failing while
 * the disk stays full, and completes, resuming from the bytes already on disk, once the tmpfs is
 * remounted bigger. Real workflow, real worker (production options), time-skipping server; an
 * activity interceptor records each attempt's failure type, since retried attempts leave no event
 * in the history.
 *
 * Needs root and permission to mount tmpfs (true in this sandbox); skipped otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedanceWorker, type SeedanceWorker } from '../../src/create-worker';
import { createSimulator, type Simulator } from '../../src/simulator';
import { LocalDirectoryStorage } from '../../src/storage';
import type { SeedanceVideoResult } from '../../src/contract/types';
import { outputContents, sha256 } from '../helpers/files';
import { videoRequests } from '../helpers/requests';
import { until } from '../helpers/wait';
import { readyTask, startAwait } from '../helpers/workflows';
import { SIM_KEY, workflowBundle } from '../helpers/harness';
import { createTimeSkippingEnv } from '../helpers/temporal';

function tryMount(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const probe = mkdtempSync(path.join(os.tmpdir(), 'seedance-tmpfs-probe-'));
const canMount = tryMount(probe);
if (canMount) execFileSync('umount', [probe]);
rmSync(probe, { recursive: true, force: true });

interface AttemptFailure {
  attempt: number;
  type: string | undefined;
  nonRetryable: boolean;
  message: string;
}

let env: TestWorkflowEnvironment;
let sim: Simulator;
let worker: SeedanceWorker;
let running: Promise<void>;
let mountDir: string;
let mounted = false;
const failures: AttemptFailure[] = [];
const taskQueue = `seedance-disk-full-${process.pid}`;

describe.skipIf(!canMount)('23: disk full', () => {
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    sim = await createSimulator({ apiKey: SIM_KEY, clock: () => env.currentTimeMs() });
    mountDir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-tmpfs-'));
    mounted = tryMount(mountDir);
    expect(mounted).toBe(true);
    worker = await createSeedanceWorker({
      connection: env.nativeConnection,
      taskQueue,
      seedance: { apiKey: SIM_KEY, baseUrl: sim.url, timeoutMs: 5_000 },
      output: await LocalDirectoryStorage.create(mountDir),
      download: { allowPrivateUrls: true },
      shutdownGraceTimeMs: 1_000,
      workflowBundle: await workflowBundle(),
      workerOptions: {
        interceptors: {
          activity: [
            () => ({
              inbound: {
                async execute(input, next) {
                  try {
                    return await next(input);
                  } catch (error) {
                    const info = Context.current().info;
                    if (info.activityType === 'downloadVideo') {
                      const failure = error instanceof ApplicationFailure ? error : undefined;
                      failures.push({
                        attempt: info.attempt,
                        type: failure?.type ?? undefined,
                        nonRetryable: failure?.nonRetryable ?? false,
                        message: String((error as Error).message),
                      });
                    }
                    throw error;
                  }
                },
              },
            }),
          ],
        },
      },
    });
    running = worker.run();
  });

  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => undefined);
    await sim?.close();
    await env?.teardown();
    if (mounted) execFileSync('umount', [mountDir]);
    await fs.rm(mountDir, { recursive: true, force: true });
  });

  it('fails with the retryable SeedanceStorageFull while full, and resumes from the bytes on disk once space is freed', async () => {
    const id = await readyTask(sim, 'disk-full');
    const handle = await startAwait(env.client, taskQueue, id);
    // Retries back off 2 s, 4 s, ... in real time while nobody awaits the result: wait for two.
    await until(() => failures.length >= 2, 20_000, 'two failed attempts');
    expect(failures.slice(0, 2).map((f) => [f.attempt, f.type, f.nonRetryable])).toEqual([
      [1, 'SeedanceStorageFull', false],
      [2, 'SeedanceStorageFull', false],
    ]);
    expect(failures[0]!.message).toMatch(/storage is full/);
    const full = await outputContents(mountDir);
    expect(full.files).toEqual([]);
    // One partial (the first attempt's): a later attempt's half-made copy is removed when the copy fails.
    expect(full.partials).toHaveLength(1);
    const partialSize = (await fs.stat(path.join(mountDir, '.seedance-partial', full.partials[0]!))).size;
    expect(partialSize).toBeGreaterThan(0);
    expect(partialSize).toBeLessThanOrEqual(64 * 1024);

    execFileSync('mount', ['-o', 'remount,size=1m', mountDir]);
    const result: SeedanceVideoResult = await handle.result();

    const bytes = await fs.readFile(path.join(mountDir, `${id.taskId}.mp4`));
    expect(sha256(bytes)).toBe(sim.videoSha256);
    expect(result.video).toMatchObject({ bytes: sim.video.length, sha256: sim.videoSha256 });
    expect(await outputContents(mountDir)).toEqual({ files: [`${id.taskId}.mp4`], partials: [] });
    // While full, no attempt asked the file host again; the last one resumed where the disk stopped.
    const gets = videoRequests(sim, id.taskId);
    expect(gets).toHaveLength(2);
    expect(gets[0]!.range).toBeUndefined();
    expect(gets[1]!.range).toBe(`bytes=${partialSize}-`);
    console.info(
      `scenario 23: ${failures.length} attempts failed with ${failures[0]!.type}; ${partialSize} bytes kept, ${gets[1]!.bytesServed} fetched after the remount`,
    );
  });
});
