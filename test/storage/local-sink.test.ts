/**
 * The local directory's sink, against the port's contract: a checkpoint only after fsync, reset,
 * a resume from a prior checkpoint on a new sink (as a retry opens it), verify-then-commit, and
 * the discarding of a download's leftovers.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalDirectoryStorage } from '../../src/storage/local';
import { FLUSH_AHEAD_BYTES } from '../../src/storage/local-sink';
import type { PartialCheckpoint } from '../../src/storage/partial-file';
import type { VideoSink } from '../../src/storage/sink';
import { InvalidVideoError } from '../../src/storage/types';
import { sleep, until } from '../helpers/wait';

const SAMPLE = path.resolve(__dirname, '../../assets/sample.mp4');
const key = { fileName: 'clip.mp4', taskId: 'cgt-20250101-abc' };

let video: Buffer;
let dir: string;
let storage: LocalDirectoryStorage;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  video = await readFile(SAMPLE);
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'seedance-local-sink-'));
  storage = await LocalDirectoryStorage.create(dir);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

async function writeAll(sink: VideoSink, bytes: Uint8Array, chunk = 4096): Promise<void> {
  for (let at = 0; at < bytes.length; at += chunk) await sink.write(bytes.subarray(at, at + chunk));
}

const partials = async () => (await readdir(storage.stagingDir)).sort();
const partialSize = async (name: string) => (await stat(path.join(storage.stagingDir, name))).size;

describe('LocalSink', () => {
  it('returns its durable checkpoint only after an fsync, as { partial, offset }', async () => {
    const sink = await storage.openSink(key);
    await writeAll(sink, video.subarray(0, 10_000));
    const probe = await open(path.join(dir, 'probe'), 'w');
    const events: string[] = [];
    vi.spyOn(Object.getPrototypeOf(probe) as { datasync(): Promise<void> }, 'datasync').mockImplementation(
      async function (this: unknown) {
        events.push('fsync');
      },
    );
    await probe.close();
    const checkpoint = await sink.durableCheckpoint().finally(() => events.push('checkpoint'));
    expect(events).toEqual(['fsync', 'checkpoint']);
    expect(JSON.stringify(checkpoint)).toBe(JSON.stringify({ partial: sink.name, offset: 10_000 }));
    expect(sink.name).toMatch(/^clip\.mp4\.cgt-20250101-abc\.[0-9a-f]{12}\.part$/);
    expect(await partialSize(sink.name)).toBe(10_000);
    await sink.close();
  });

  it('reset starts over from byte 0, hash included', async () => {
    const sink = await storage.openSink(key);
    await writeAll(sink, Buffer.from('not the video at all'));
    await sink.reset();
    expect(sink.offset).toBe(0);
    expect(sink.sha256()).toBe(sha256(Buffer.alloc(0)));
    expect(await partialSize(sink.name)).toBe(0);
    await writeAll(sink, video);
    expect(sink.sha256()).toBe(sha256(video));
    expect((await sink.durableCheckpoint()).offset).toBe(video.length);
    await sink.close();
  });

  it('a new sink resumes from a prior checkpoint: its own copy cut to the durable offset, the hash re-read', async () => {
    const first = await storage.openSink(key);
    await writeAll(first, video.subarray(0, 50_000));
    const checkpoint = (await first.durableCheckpoint()) as PartialCheckpoint;
    await writeAll(first, video.subarray(50_000, 60_000)); // past the checkpoint: not to be trusted
    await first.close();

    const prior = { ...checkpoint, etag: '"v1"', totalBytes: video.length }; // the heartbeat, as a retry reads it
    const second = await storage.openSink({ ...key, prior: JSON.parse(JSON.stringify(prior)) as typeof prior });
    expect(second.name).not.toBe(first.name);
    expect(second.offset).toBe(50_000);
    expect(second.sha256()).toBe(sha256(video.subarray(0, 50_000)));
    expect(await partialSize(second.name)).toBe(50_000);
    expect(await partialSize(first.name)).toBe(60_000); // the prior file is left for discardPartials

    await writeAll(second, video.subarray(50_000));
    const stored = await second.verifyAndCommit({ bytes: video.length, sha256: sha256(video) });
    expect(stored).toMatchObject({ bytes: video.length, sha256: sha256(video) });
    expect(sha256(await readFile(path.join(dir, key.fileName)))).toBe(sha256(video));
    expect(await partials()).toEqual([first.name]);
  });

  const own = `${key.fileName}.${key.taskId}.0123456789ab.part`;
  const foreign = `other.mp4.${key.taskId}.0123456789ab.part`;
  it.each([
    ['a checkpoint of another download', { partial: foreign, offset: 100 }],
    ['a checkpoint whose file is shorter than its offset', { partial: own, offset: 100 }],
    ['a checkpoint that leaves the staging directory', { partial: `../${foreign}`, offset: 100 }],
    ['a checkpoint of another kind of sink', { offset: 40, uploadId: 'u1', parts: [] }],
  ])('starts from zero on %s', async (_what, prior) => {
    await writeFile(path.join(storage.stagingDir, own), video.subarray(0, 50));
    await writeFile(path.join(storage.stagingDir, foreign), video.subarray(0, 500));
    await writeFile(path.join(dir, foreign), video.subarray(0, 500));
    const sink = await storage.openSink({ ...key, prior });
    expect(sink.offset).toBe(0);
    expect(await partialSize(sink.name)).toBe(0);
    await sink.discard();
    expect(await partials()).toEqual([foreign, own].sort());
  });

  it('verifyAndCommit refuses bytes that are not a complete MP4, and bytes other than expected', async () => {
    const sink = await storage.openSink(key);
    await writeAll(sink, video.subarray(0, 1000));
    const short = sink.verifyAndCommit({ bytes: 1000, sha256: sha256(video) });
    await expect(short).rejects.toBeInstanceOf(InvalidVideoError);
    await expect(short).rejects.toMatchObject({ retryable: true });

    const truncated = sink.verifyAndCommit({ bytes: 1000, sha256: sink.sha256() });
    await expect(truncated).rejects.toThrow(/^the downloaded file is not a complete MP4: /);
    await expect(truncated).rejects.toMatchObject({ retryable: false });
    expect(await readdir(dir)).not.toContain(key.fileName);
    await sink.discard();
  });

  it('discard deletes its own file; close keeps it for the next attempt', async () => {
    const kept = await storage.openSink(key);
    await writeAll(kept, video.subarray(0, 100));
    await kept.close();
    const dropped = await storage.openSink(key);
    await dropped.discard();
    expect(await partials()).toEqual([kept.name]);
  });
});

/** Replaces every FileHandle's `datasync` (the partial file's fsync) with `impl`. */
async function mockDatasync(impl: () => Promise<void>): Promise<void> {
  const probe = await open(path.join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
  await probe.close();
  vi.spyOn(proto, 'datasync').mockImplementation(impl);
}

describe('LocalSink flush-ahead', () => {
  const eio = () => Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
  const chunk = Buffer.alloc(1024 * 1024, 7);

  it('fsyncs in the background every FLUSH_AHEAD_BYTES taken, without being asked for a checkpoint', async () => {
    let fsyncs = 0;
    await mockDatasync(async () => void fsyncs++);
    const sink = await storage.openSink(key);
    for (let at = 0; at < FLUSH_AHEAD_BYTES - chunk.length; at += chunk.length) await sink.write(chunk);
    await sleep(20);
    expect(fsyncs).toBe(0);
    await sink.write(chunk); // FLUSH_AHEAD_BYTES taken
    await until(() => fsyncs === 1);
    expect((await sink.durableCheckpoint()).offset).toBe(FLUSH_AHEAD_BYTES);
    expect(fsyncs).toBe(2);
    await sink.discard();
  });

  it('a flush-ahead that fails fails every later write, checkpoint and commit with its error', async () => {
    const sink = await storage.openSink(key);
    let failed = false;
    await mockDatasync(async () => {
      failed = true;
      throw eio();
    });
    for (let at = 0; at < FLUSH_AHEAD_BYTES; at += chunk.length) await sink.write(chunk);
    await until(() => failed);
    await expect(sink.durableCheckpoint()).rejects.toMatchObject({ code: 'EIO' });
    await expect(sink.write(chunk)).rejects.toMatchObject({ code: 'EIO' });
    await expect(sink.reset()).rejects.toMatchObject({ code: 'EIO' });
    const commit = sink.verifyAndCommit({ bytes: sink.offset, sha256: sink.sha256() });
    await expect(commit).rejects.toMatchObject({ code: 'EIO' });
    expect(await readdir(dir)).not.toContain(key.fileName);
    vi.restoreAllMocks();
    await sink.discard();
    expect(await partials()).toEqual([]);
  });

  it('discard and close wait for the flush-ahead under way', async () => {
    let release = (): void => undefined;
    const events: string[] = [];
    await mockDatasync(
      () =>
        new Promise<void>((resolve) => {
          events.push('fsync started');
          release = () => {
            events.push('fsync done');
            resolve();
          };
        }),
    );
    const sink = await storage.openSink(key);
    for (let at = 0; at < FLUSH_AHEAD_BYTES; at += chunk.length) await sink.write(chunk);
    await until(() => events.length === 1);
    const closed = sink.close().then(() => events.push('closed'));
    await sleep(20);
    release();
    await closed;
    expect(events).toEqual(['fsync started', 'fsync done', 'closed']);
  });
});

describe('LocalDirectoryStorage.discardPartials', () => {
  it('removes every partial of the download but `except`, and nothing of other downloads', async () => {
    const sinks = [await storage.openSink(key), await storage.openSink(key), await storage.openSink(key)];
    await Promise.all(sinks.map((sink) => sink.close()));
    const other = await storage.openSink({ fileName: 'clip.mp4.x', taskId: key.taskId });
    await other.close();
    await writeFile(path.join(storage.stagingDir, 'notes.txt'), 'keep');

    expect(await storage.discardPartials({ ...key, except: sinks[1]!.name })).toBe(2);
    expect(await partials()).toEqual([sinks[1]!.name, other.name, 'notes.txt'].sort());
    expect(await storage.discardPartials(key)).toBe(1);
    expect(await partials()).toEqual([other.name, 'notes.txt'].sort());
  });
});
