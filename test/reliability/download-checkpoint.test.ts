/**
 * The local sink's own rules, attempt by attempt in MockActivityEnvironment (real heartbeat
 * details and cancellation, no server) against the simulator: the partial files themselves are
 * the oracle. Scenario 13 (typed, checkpointed stalls) of docs/reliability-scenarios.md, and the
 * local design rules: one exclusive temp file per attempt, nothing under the final name before
 * verification (rename, then directory fsync); a checkpoint never names a file outside its
 * download; a retry never writes into a zombie's file; stale partials are swept.
 *
 * The storage scenarios that hold for every sink (8, 9, 10, 11, 12, 14, 15, 20: resume offsets,
 * restarts, refusals, what each cancellation reason does with the partial) run against the local
 * directory and S3 in download-sinks.test.ts.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ActivityCancellationDetails, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Checkpoint } from '../../src/storage/partial-file';
import { createSimulator, type Simulator } from '../../src/simulator';
import { LocalDirectoryStorage, STAGING_DIR_NAME } from '../../src/storage';
import { rejection } from '../helpers/assertions';
import { activityRunner, downloadInput, type ActivityRunner } from '../helpers/download-activity';
import { outputContents, sha256 } from '../helpers/files';
import { videoRequests } from '../helpers/requests';
import { until } from '../helpers/wait';
import { SIM_KEY } from '../helpers/harness';

/** File-system calls of interest, in order: renames and fsyncs (to check the commit protocol). */
const fsEvents = vi.hoisted(() => [] as string[]);

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = async (...args) => {
    const handle = await real.open(...args);
    const file = String(args[0]);
    const sync = handle.sync.bind(handle);
    const datasync = handle.datasync.bind(handle);
    handle.sync = async () => {
      fsEvents.push(`fsync ${file}`);
      return sync();
    };
    handle.datasync = async () => {
      fsEvents.push(`fdatasync ${file}`);
      return datasync();
    };
    return handle;
  };
  const rename: typeof real.rename = async (from, to) => {
    fsEvents.push(`rename ${String(from)} -> ${String(to)}`); // before: a watcher seeing `to` knows it is logged
    await real.rename(from, to);
  };
  const mocked = { ...real, open, rename };
  return { ...mocked, default: mocked };
});

let sim: Simulator;
let dir: string;
let storage: LocalDirectoryStorage;
let run: ActivityRunner;

beforeAll(async () => {
  sim = await createSimulator({ apiKey: SIM_KEY });
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-checkpoint-'));
  storage = await LocalDirectoryStorage.create(dir);
  run = activityRunner(sim, storage, { idleTimeoutMs: 500, lowSpeedBytesPerSecond: 1024, lowSpeedWindowMs: 1_000 });
  fsEvents.length = 0;
});

afterEach(async () => {
  sim.clearFaults();
  await fs.rm(dir, { recursive: true, force: true });
});

const readyTask = (prefix: string) => downloadInput(sim, prefix);

function partialPath(checkpoint: Checkpoint): string {
  return path.join(storage.stagingDir, checkpoint.partial);
}

function failureOf(error: unknown): ApplicationFailure {
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

/** The checkpoint's file holds exactly `offset` bytes, and they are the video's first `offset` bytes. */
async function expectPrefixOnDisk(checkpoint: Checkpoint): Promise<void> {
  const bytes = await fs.readFile(partialPath(checkpoint));
  expect(bytes.length).toBe(checkpoint.offset);
  expect(bytes.equals(sim.video.subarray(0, checkpoint.offset))).toBe(true);
}

async function expectStoredVideo(fileName: string): Promise<void> {
  const bytes = await fs.readFile(path.join(dir, fileName));
  expect(sha256(bytes)).toBe(sim.videoSha256);
  const { files, partials } = await outputContents(dir);
  expect(files).toEqual([fileName]);
  expect(partials).toEqual([]);
}

describe('a checkpoint names a partial file of its own download only', () => {
  it('refuses to resume from a checkpoint naming a file outside this download (../, another task)', async () => {
    const input = await readyTask('foreign');
    const other = await readyTask('foreign-other');
    const foreign = `${other.fileName}.${other.taskId}.0123456789ab.part`;
    await fs.writeFile(path.join(storage.stagingDir, foreign), sim.video.subarray(0, 9000));
    for (const partial of [foreign, `../../${foreign}`, '/etc/passwd']) {
      const checkpoint: Checkpoint = { partial, offset: 4096, etag: null, totalBytes: null };
      await run.attempt(input, { attempt: 2, heartbeatDetails: checkpoint }).result;
      await fs.rm(path.join(dir, input.fileName));
    }
    expect(videoRequests(sim, input.taskId).map((g) => g.range ?? null)).toEqual([null, null, null]);
    // The other download's partial was neither used nor removed.
    expect((await fs.stat(path.join(storage.stagingDir, foreign))).size).toBe(9000);
  });
});

describe('13: stalls are typed and checkpointed', () => {
  it('a silence longer than idleTimeoutMs fails the attempt with SeedanceDownloadStalled, checkpointed', async () => {
    const input = await readyTask('stall');
    sim.inject({ kind: 'stall', afterBytes: 30_000 });
    const started = Date.now();
    const { result, heartbeats } = run.attempt(input);
    const failure = failureOf(await rejection(result));
    const tookMs = Date.now() - started;
    expect(failure.type).toBe('SeedanceDownloadStalled');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('500 ms');
    expect(tookMs).toBeGreaterThanOrEqual(450);
    expect(tookMs).toBeLessThan(5_000);
    expect(heartbeats.at(-1)!.offset).toBe(30_000);
    await expectPrefixOnDisk(heartbeats.at(-1)!);
  });

  it('a trickle under lowSpeedBytesPerSecond over lowSpeedWindowMs fails with SeedanceDownloadStalled, checkpointed', async () => {
    const input = await readyTask('trickle');
    sim.inject({ kind: 'trickle', bytesPerInterval: 100, intervalMs: 250 });
    const started = Date.now();
    const { result, heartbeats } = run.attempt(input);
    const failure = failureOf(await rejection(result));
    const tookMs = Date.now() - started;
    expect(failure.type).toBe('SeedanceDownloadStalled');
    expect(failure.nonRetryable).toBe(false);
    expect(tookMs).toBeGreaterThanOrEqual(1_000);
    expect(tookMs).toBeLessThan(5_000);
    const checkpoint = heartbeats.at(-1)!;
    expect(checkpoint.offset).toBeGreaterThan(0);
    await expectPrefixOnDisk(checkpoint);
    const second = run.attempt(input, { attempt: 2, heartbeatDetails: checkpoint });
    await second.result;
    expect(videoRequests(sim, input.taskId)[1]!.range).toBe(`bytes=${checkpoint.offset}-`);
    await expectStoredVideo(input.fileName);
  });
});

describe('one temp file per attempt, verified before it gets the final name', () => {
  it('keeps the final name absent until the file is verified, then renames and fsyncs the directory', async () => {
    const input = await readyTask('commit');
    sim.inject({ kind: 'throttle', bytesPerSecond: 150_000 });
    const { result } = run.attempt(input);
    let done = false;
    void result.finally(() => (done = true));
    const seen = new Set<string>();
    const finalPath = path.join(dir, input.fileName);
    let polls = 0;
    while (!done) {
      const names = await fs.readdir(dir);
      for (const name of names) seen.add(name);
      for (const name of await fs.readdir(storage.stagingDir)) seen.add(`${STAGING_DIR_NAME}/${name}`);
      // The final name shows up only through the rename, which comes after verification.
      if (names.includes(input.fileName)) expect(fsEvents.some((e) => e.endsWith(`-> ${finalPath}`))).toBe(true);
      else polls++;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(polls).toBeGreaterThan(10); // the download was watched while it ran
    await result;
    const partials = [...seen].filter((n) => n.startsWith(`${STAGING_DIR_NAME}/`));
    expect(partials).toHaveLength(1);
    expect(partials[0]).toMatch(
      new RegExp(`^${STAGING_DIR_NAME}/${input.fileName}\\.${input.taskId}\\.[0-9a-f]{12}\\.part$`),
    );
    await expectStoredVideo(input.fileName);

    const renameAt = fsEvents.findIndex((e) => e.startsWith('rename ') && e.endsWith(`-> ${finalPath}`));
    expect(renameAt).toBeGreaterThan(-1);
    const partialFile = path.join(dir, partials[0]!);
    expect(fsEvents[renameAt]).toBe(`rename ${partialFile} -> ${finalPath}`);
    // The file's data was flushed before the rename, the directory after it.
    expect(fsEvents.slice(0, renameAt).at(-1)).toBe(`fdatasync ${partialFile}`);
    expect(fsEvents.slice(renameAt + 1)).toContain(`fsync ${dir}`);
  });

  it('15: an HTML page served as video/mp4 never gets the final name, and its temp file is removed', async () => {
    const input = await readyTask('html');
    sim.inject({ kind: 'notMp4' });
    const failure = failureOf(await rejection(run.attempt(input).result));
    expect(failure.type).toBe('SeedanceInvalidVideo');
    expect(failure.nonRetryable).toBe(true);
    expect(fsEvents.filter((e) => e.startsWith('rename '))).toEqual([]);
    expect(await outputContents(dir)).toEqual({ files: [], partials: [] });
  });

  it('a retry never writes into the previous attempt’s file, even while that attempt still runs (a zombie)', async () => {
    const input = await readyTask('zombie');
    sim.inject({ kind: 'throttle', bytesPerSecond: 30_000 }); // the zombie's request: ~6 s in all
    sim.inject({ kind: 'throttle', bytesPerSecond: 120_000 }); // the live attempt's: slow enough to watch
    const zombie = run.attempt(input);
    await until(() => zombie.heartbeats.some((h) => h.offset >= 40_000), 10_000, 'zombie progress');
    const checkpoint = zombie.heartbeats.at(-1)!;
    const zombieFile = partialPath(checkpoint);

    const live = run.attempt(input, { attempt: 2, heartbeatDetails: checkpoint });
    const own = () => live.heartbeats.find((h) => h.partial !== checkpoint.partial);
    await until(() => own() !== undefined, 10_000, 'live attempt checkpoint');
    // Once its own copy is checkpointed, the live attempt removes the zombie's file: one partial
    // per download on disk, and the zombie's later writes go to an unlinked file nobody reads.
    await until(async () => (await outputContents(dir)).partials.length === 1, 2_000, 'one partial');
    expect((await outputContents(dir)).partials).toEqual([own()!.partial]);
    expect(own()!.offset).toBeGreaterThanOrEqual(checkpoint.offset);
    await expect(fs.stat(zombieFile)).rejects.toMatchObject({ code: 'ENOENT' });
    const stored = await live.result;
    expect(stored.sha256).toBe(sim.videoSha256);
    // The server tells the zombie it timed out; it stops, its late bytes never reach the stored file.
    zombie.env.cancel('TIMED_OUT', new ActivityCancellationDetails({ timedOut: true }));
    expect(await rejection(zombie.result)).toBeInstanceOf(CancelledFailure);
    expect(sha256(await fs.readFile(path.join(dir, input.fileName)))).toBe(sim.videoSha256);
    expect((await outputContents(dir)).partials).toEqual([]);
  });
});

describe('a partial file nobody will resume', () => {
  it('a partial nobody will resume (e.g. a cancel during a retry’s backoff: no attempt runs to delete it) is swept once stale', async () => {
    const staging = storage.stagingDir;
    const stale = path.join(staging, 'old.mp4.video_old.0123456789ab.part');
    const fresh = path.join(staging, 'new.mp4.video_new.0123456789ab.part');
    const notOurs = path.join(staging, 'notes.txt');
    for (const file of [stale, fresh, notOurs]) await fs.writeFile(file, 'x');
    const threeDaysAgo = new Date(Date.now() - 3 * 24 * 3600_000);
    await fs.utimes(stale, threeDaysAgo, threeDaysAgo);
    await fs.utimes(notOurs, threeDaysAgo, threeDaysAgo);
    await LocalDirectoryStorage.create(dir); // a worker starting on this output root
    expect((await fs.readdir(staging)).sort()).toEqual(['new.mp4.video_new.0123456789ab.part', 'notes.txt']);
  });
});
