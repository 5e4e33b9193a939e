/**
 * `downloadVideo` with `lastFrame: true`, on both storages (a local directory and an S3 bucket on
 * SeaweedFS): the video is stored first, then the task's last-frame PNG beside it as
 * `<name>.last-frame.png`. The provider is a `VideoTaskProvider` whose completed tasks point at a
 * real file host on 127.0.0.1 (the video served like a CDN, the frame per test), and each
 * storage's contents are read back by the storage's own means, never through the code under test.
 */
import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCheckStatus } from '../../src/activities/check-status';
import { isDownloadCheckpoint } from '../../src/activities/checkpointer';
import { makeDownloadVideo } from '../../src/activities/download-video';
import type { DownloadVideoInput, StoredVideoWithFrame } from '../../src/activities/types';
import { VideoUrlCache } from '../../src/activities/video-url-cache';
import { PNG_SIGNATURE } from '../../src/seedance/last-frame';
import type { ProviderTask, VideoTaskProvider } from '../../src/seedance/provider';
import { loadSampleVideo } from '../../src/simulator/sample-video';
import { LocalDirectoryStorage, type VideoStorage } from '../../src/storage';
import { S3Storage } from '../../src/storage/s3/s3-storage';
import { cdnLike, type Handler } from '../helpers/file-host';
import { sha256 } from '../helpers/files';
import { sinkKinds, type SinkUnderTest } from '../helpers/sinks';

const VIDEO = loadSampleVideo();
const VIDEO_ETAG = `"${sha256(VIDEO).slice(0, 16)}"`;
const MODEL = 'seedance-1-5-pro-251215';

/** Bytes that start like a PNG (the signature is what the download checks), of `size` bytes. */
function pngOf(size: number): Buffer {
  return Buffer.concat([Buffer.from(PNG_SIGNATURE), randomBytes(size - PNG_SIGNATURE.length)]);
}

const servePng =
  (png: Buffer): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length) });
    res.end(png);
  };

/** One completed task on the file host: its video, and what its last-frame URL answers. */
interface HostedTask {
  frame: Handler | null;
  frameGets: number;
}

/**
 * The file host and the provider in one: `getTask` answers `completed` with URLs on the host,
 * signed anew on each read (`?sig=<read number>`), the last-frame URL only for tasks that have one.
 */
class FileHostProvider implements VideoTaskProvider {
  readonly name = 'modelark';
  readonly capabilities = { cancel: false, callbacks: false, recordRetentionMs: 7 * 24 * 3600_000 };
  private readonly tasks = new Map<string, HostedTask>();
  private readonly reads = new Map<string, number>();
  private server: Server | undefined;
  private origin = '';
  private ids = 0;

  async start(): Promise<void> {
    const video = cdnLike(VIDEO, VIDEO_ETAG, { 'content-type': 'video/mp4' });
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', this.origin);
      const [, kind, taskId] = /^\/(video|frame)\/([\w-]+)\.(?:mp4|png)$/.exec(url.pathname) ?? [];
      const task = taskId === undefined ? undefined : this.tasks.get(taskId);
      if (!task || (kind === 'frame' && !task.frame)) {
        res.writeHead(404);
        res.end();
      } else if (kind === 'video') {
        video(req, res);
      } else {
        task.frameGets++;
        task.frame!(req, res);
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** A new completed task; `frame` answers its last-frame URL (null: the task has none). */
  addTask(frame: Handler | null): { taskId: string; task: HostedTask } {
    const taskId = `cgt-20260101000000-${++this.ids}${randomBytes(3).toString('hex')}`;
    const task = { frame, frameGets: 0 };
    this.tasks.set(taskId, task);
    return { taskId, task };
  }

  readsOf(taskId: string): number {
    return this.reads.get(taskId) ?? 0;
  }

  createTask(): Promise<ProviderTask> {
    throw new Error('the download never creates a task');
  }

  async getTask(taskId: string): Promise<ProviderTask> {
    const read = this.readsOf(taskId) + 1;
    this.reads.set(taskId, read);
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`unknown task ${taskId}`);
    return {
      id: taskId,
      model: MODEL,
      createdMs: Date.now() - 60_000,
      status: 'completed',
      videoUrl: `${this.origin}/video/${taskId}.mp4?sig=${read}`,
      lastFrameUrl: task.frame ? `${this.origin}/frame/${taskId}.png?sig=${read}` : null,
      actualDuration: 3,
      error: null,
    };
  }
}

interface Attempt {
  result: Promise<StoredVideoWithFrame>;
  logs: LogEntry[];
  heartbeats: unknown[];
}

/**
 * What was written to the storage while `run` ran: S3 writes counted as the client sends them;
 * local files that got a new inode (every write ends in a rename of a new file).
 */
async function writesDuring(storage: VideoStorage, dir: string | undefined, run: () => Promise<void>): Promise<number> {
  if (storage instanceof S3Storage) {
    const name = `count-writes-${randomBytes(4).toString('hex')}`;
    const writeCommands = ['PutObjectCommand', 'CreateMultipartUploadCommand', 'CopyObjectCommand'];
    let writes = 0;
    storage.client.middlewareStack.add(
      (next, context) => (args) => {
        if (writeCommands.includes(context.commandName ?? '')) writes++;
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      await run();
    } finally {
      storage.client.middlewareStack.remove(name);
    }
    return writes;
  }
  const inodes = async () => {
    const names = (await fs.readdir(dir!)).filter((n) => !n.startsWith('.'));
    return new Map(await Promise.all(names.map(async (n) => [n, (await fs.stat(`${dir}/${n}`)).ino] as const)));
  };
  const before = await inodes();
  await run();
  const after = await inodes();
  return [...after].filter(([n, ino]) => before.get(n) !== ino).length;
}

describe.each(sinkKinds())('the last frame beside the video on the $name', (kind) => {
  const provider = new FileHostProvider();

  beforeAll(async () => {
    await Promise.all([kind.setUp(), provider.start()]);
  });

  afterAll(async () => {
    await provider.stop();
    await kind.tearDown();
  });

  /** A new empty storage and `downloadVideo` writing to it, its URL cache empty as on a retry. */
  async function fresh() {
    const sut = await kind.create();
    const dir = sut.storage instanceof LocalDirectoryStorage ? sut.storage.root : undefined;
    const downloadVideo = makeDownloadVideo(provider, sut.storage, new VideoUrlCache(), {
      allowPrivateUrls: true,
      isAllowedAddress: (ip) => ip === '127.0.0.1',
      idleTimeoutMs: 2_000,
    });
    const attempt = (input: DownloadVideoInput, info: Partial<Info> = {}): Attempt => {
      const logs: LogEntry[] = [];
      const heartbeats: unknown[] = [];
      const env = new MockActivityEnvironment(
        { activityType: 'downloadVideo', heartbeatTimeoutMs: 30_000, ...info },
        { logger: new DefaultLogger('INFO', (entry) => logs.push(entry)) },
      );
      env.on('heartbeat', (details: unknown) => heartbeats.push(details));
      const result = env.run(downloadVideo, input) as Promise<StoredVideoWithFrame>;
      result.catch(() => undefined);
      return { result, logs, heartbeats };
    };
    return { sut, dir, attempt };
  }

  function inputOf(taskId: string): DownloadVideoInput {
    return { taskId, fileName: `${taskId}.mp4`, model: MODEL, lastFrame: true };
  }

  async function expectVideoStored(sut: SinkUnderTest, taskId: string): Promise<void> {
    const stored = await sut.readStored(`${taskId}.mp4`);
    expect(stored && sha256(stored)).toBe(sha256(VIDEO));
  }

  it('stores the PNG as <name>.last-frame.png beside the video, with its sha256, and returns both', async () => {
    const { sut, attempt } = await fresh();
    const png = pngOf(300 * 1024);
    const { taskId } = provider.addTask(servePng(png));
    const run = attempt(inputOf(taskId));
    const result = await run.result;

    const frameName = `${taskId}.last-frame.png`;
    expect(result).toMatchObject({ bytes: VIDEO.length, sha256: sha256(VIDEO) });
    expect(result.lastFrame).toEqual({
      uri: expect.stringMatching(new RegExp(`/${frameName}$`)) as string,
      bytes: png.length,
      sha256: sha256(png),
    });
    expect(result.lastFrame!.uri.replace(frameName, '')).toBe(result.uri.replace(`${taskId}.mp4`, ''));
    if (result.uri.startsWith('file:')) expect(await fs.readFile(fileURLToPath(result.lastFrame!.uri))).toEqual(png);
    expect((await sut.readStored(frameName))?.equals(png)).toBe(true);
    await expectVideoStored(sut, taskId);
    expect(await sut.storedNames()).toEqual([frameName, `${taskId}.mp4`].sort());
    expect(await sut.listPartials()).toEqual([]);
    // One status read gave both URLs; the heartbeats are the video download's checkpoints only.
    expect(provider.readsOf(taskId)).toBe(1);
    // (A short video on the local directory sends none at all; on S3 the upload id is heartbeated at once.)
    expect(run.heartbeats.every((h) => isDownloadCheckpoint(h) && !JSON.stringify(h).includes('frame'))).toBe(true);

    if (sut.storage instanceof S3Storage) {
      const { client, location } = sut.storage;
      const head = await client.send(
        new HeadObjectCommand({ Bucket: location.bucket, Key: location.prefix + frameName }),
      );
      expect(head.ContentType).toBe('image/png');
      expect(head.Metadata).toEqual({ sha256: sha256(png), 'task-id': taskId, model: MODEL });
    }
  });

  it('after checkStatus on the same worker, reads no status: both URLs come from its cache', async () => {
    const { sut } = await fresh();
    const png = pngOf(10 * 1024);
    const { taskId } = provider.addTask(servePng(png));
    const urls = new VideoUrlCache();
    const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
    const snapshot = await env.run(makeCheckStatus(provider, urls), taskId);
    expect(snapshot).toMatchObject({ status: 'completed', hasLastFrame: true });
    const downloadVideo = makeDownloadVideo(provider, sut.storage, urls, {
      allowPrivateUrls: true,
      isAllowedAddress: (ip) => ip === '127.0.0.1',
    });
    const result = (await env.run(downloadVideo, inputOf(taskId))) as StoredVideoWithFrame;
    expect(result.lastFrame?.sha256).toBe(sha256(png));
    expect(provider.readsOf(taskId)).toBe(1); // checkStatus's
  });

  it('a retry whose result was lost reuses the stored video and frame, writing neither again', async () => {
    const { sut, dir, attempt } = await fresh();
    const png = pngOf(50 * 1024);
    const { taskId, task } = provider.addTask(servePng(png));
    const first = await attempt(inputOf(taskId)).result;
    let retry: Attempt | undefined;
    const writes = await writesDuring(sut.storage, dir, async () => {
      retry = attempt(inputOf(taskId), { attempt: 2 });
      expect(await retry.result).toEqual(first);
    });
    expect(writes).toBe(0);
    const messages = retry!.logs.map((entry) => entry.message);
    expect(messages).toContain('video already stored; reusing it');
    expect(messages).toContain('last frame already stored; reusing it');
    expect(task.frameGets).toBe(2); // the retry compares what the host serves with what is stored
    expect(await sut.storedNames()).toEqual([`${taskId}.last-frame.png`, `${taskId}.mp4`].sort());
    expect(await sut.listPartials()).toEqual([]);
  });

  it('a task without a last-frame URL: the video is stored and returned alone, with a warning', async () => {
    const { sut, attempt } = await fresh();
    const { taskId } = provider.addTask(null);
    const run = attempt(inputOf(taskId));
    const result = await run.result;
    expect(result).toEqual({ uri: expect.any(String) as string, bytes: VIDEO.length, sha256: sha256(VIDEO) });
    const warning = run.logs.find((entry) => entry.level === 'WARN');
    expect(warning?.message).toMatch(/no last-frame URL/);
    expect(await sut.storedNames()).toEqual([`${taskId}.mp4`]);
    expect(provider.readsOf(taskId)).toBe(1);
  });

  it('an answer that is not a PNG is refused with a warning; the stored video is returned alone', async () => {
    const { sut, attempt } = await fresh();
    const { taskId } = provider.addTask((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end('<!doctype html><title>Bucket policy denies access</title>');
    });
    const run = attempt(inputOf(taskId));
    const result = await run.result;
    expect(result.lastFrame).toBeUndefined();
    expect(result.sha256).toBe(sha256(VIDEO));
    const warning = run.logs.find((entry) => entry.level === 'WARN');
    expect(warning?.message).toMatch(/last frame refused/);
    expect(String(warning?.meta?.error)).toMatch(/not a PNG/);
    await expectVideoStored(sut, taskId);
    expect(await sut.storedNames()).toEqual([`${taskId}.mp4`]);
    expect(await sut.listPartials()).toEqual([]);
  });

  it('an expired last-frame URL (403) is read afresh from the task once, then stored', async () => {
    const { sut, attempt } = await fresh();
    const png = pngOf(20 * 1024);
    const { taskId, task } = provider.addTask((req, res) => {
      if (req.url?.endsWith('sig=1')) {
        res.writeHead(403);
        res.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
        return;
      }
      servePng(png)(req, res);
    });
    const result = await attempt(inputOf(taskId)).result;
    expect(result.lastFrame?.sha256).toBe(sha256(png));
    expect(provider.readsOf(taskId)).toBe(2);
    expect(task.frameGets).toBe(2);
    expect((await sut.readStored(`${taskId}.last-frame.png`))?.equals(png)).toBe(true);
  });

  it('another frame already stored under the name is never overwritten; the video is returned alone, with a warning', async () => {
    const { sut, attempt } = await fresh();
    const { taskId } = provider.addTask(servePng(pngOf(20 * 1024)));
    const other = pngOf(20 * 1024);
    const frameName = `${taskId}.last-frame.png`;
    await sut.storage.storeCompanion!({ fileName: frameName, bytes: other, contentType: 'image/png', taskId });
    const run = attempt(inputOf(taskId));
    expect((await run.result).lastFrame).toBeUndefined();
    const warning = run.logs.find((entry) => entry.level === 'WARN');
    expect(String(warning?.meta?.error)).toContain(
      `${frameName} already exists with different content; choose another fileName or remove it`,
    );
    expect((await sut.readStored(frameName))?.equals(other)).toBe(true);
    await expectVideoStored(sut, taskId);
    expect(await sut.listPartials()).toEqual([]);
  });
});
