// The S3 sink and storage against a real S3 server (SeaweedFS on loopback): the sink contract
// that test/storage/local-sink.test.ts checks for the local sink.
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSampleVideo, withTrailingFreeBox } from '../../../src/simulator/sample-video';
import { createStorage } from '../../../src/storage/create';
import type { S3SinkCheckpoint } from '../../../src/storage/s3/s3-sink';
import { S3Storage } from '../../../src/storage/s3/s3-storage';
import { InvalidVideoError } from '../../../src/storage/types';
import type { S3Server } from '../../../src/testing/s3-server';
import { startTestBucket, type TestBucket } from '../../helpers/s3-bucket';
import { chunksOf, seededPayload, sha256Hex } from './payload';

const MIB = 1024 * 1024;
const PART_SIZE = 5 * MIB;
const BUCKET = 'sink-videos';

let bucket: TestBucket;
let server: S3Server;
let client: S3Client;
/** A valid MP4 of about 12 MiB: more than two parts. */
const video = withTrailingFreeBox(loadSampleVideo(), 'x'.repeat(12 * MIB));

beforeAll(async () => {
  bucket = await startTestBucket(BUCKET);
  ({ server, client } = bucket);
});

afterAll(async () => {
  await bucket?.close();
});

function storage(prefix: string): S3Storage {
  return new S3Storage(client, `s3://${BUCKET}/${prefix}`, { partSize: PART_SIZE });
}

const readObject = (key: string) => bucket.readObject(key);
const listedKeys = (prefix: string) => bucket.listedKeys(prefix);
/** Ids of the uploads still open under `prefix`. */
const pendingUploads = async (prefix: string) => (await bucket.pendingUploads(prefix)).map((u) => u.uploadId);

describe('S3 sink', () => {
  it('stores a video with sha256 and task metadata, found again by find()', async () => {
    const store = storage('one/');
    expect(store.describe()).toBe(`s3://${BUCKET}/one/`);
    const sink = await store.openSink({ fileName: 'a.mp4', taskId: 'task-a', model: 'seedance-test' });
    for (const chunk of chunksOf(video)) await sink.write(chunk);
    const stored = await sink.verifyAndCommit({ bytes: video.length, sha256: sha256Hex(video) });
    expect(stored).toEqual({ uri: `s3://${BUCKET}/one/a.mp4`, bytes: video.length, sha256: sha256Hex(video) });
    expect(sha256Hex(await readObject('one/a.mp4'))).toBe(sha256Hex(video));
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'one/a.mp4' }));
    expect(head.Metadata).toMatchObject({ 'task-id': 'task-a', model: 'seedance-test', sha256: sha256Hex(video) });
    expect(await store.find('a.mp4')).toEqual(stored);
    expect(await store.find('missing.mp4')).toBeUndefined();
    expect(await pendingUploads('one/')).toEqual([]);
  });

  it('checkpoints at part boundaries and resumes on a new storage from the JSON checkpoint', async () => {
    const sink = await storage('resume/').openSink({ fileName: 'r.mp4', taskId: 'task-r' });
    await sink.write(video.subarray(0, PART_SIZE - 10));
    expect((await sink.durableCheckpoint()).offset).toBe(0);
    await sink.write(video.subarray(PART_SIZE - 10, PART_SIZE + 1000));
    expect(sink.offset).toBe(PART_SIZE + 1000);
    const checkpoint = JSON.parse(JSON.stringify(await sink.durableCheckpoint())) as S3SinkCheckpoint;
    expect(checkpoint.offset).toBe(PART_SIZE);
    expect(checkpoint.upload.uploadId).toBe(sink.name);
    await sink.close();

    const resumed = await storage('resume/').openSink({ fileName: 'r.mp4', taskId: 'task-r', prior: checkpoint });
    expect(resumed.name).toBe(sink.name);
    expect(resumed.offset).toBe(PART_SIZE);
    for (const chunk of chunksOf(video.subarray(PART_SIZE))) await resumed.write(chunk);
    const stored = await resumed.verifyAndCommit({ bytes: video.length, sha256: sha256Hex(video) });
    expect(stored.sha256).toBe(sha256Hex(video));
    expect(sha256Hex(await readObject('resume/r.mp4'))).toBe(sha256Hex(video));
  });

  it('starts again from byte 0 when the prior upload is gone', async () => {
    const store = storage('gone/');
    const sink = await store.openSink({ fileName: 'g.mp4', taskId: 'task-g' });
    await sink.write(video.subarray(0, PART_SIZE));
    const checkpoint = await sink.durableCheckpoint();
    await sink.discard();
    expect(await pendingUploads('gone/')).toEqual([]);
    const next = await store.openSink({ fileName: 'g.mp4', taskId: 'task-g', prior: checkpoint });
    expect(next.offset).toBe(0);
    expect(next.name).not.toBe(sink.name);
    expect(await store.discardPartials({ fileName: 'g.mp4', taskId: 'task-g' })).toBe(1);
    expect(await pendingUploads('gone/')).toEqual([]);
  });

  it('reset() aborts the upload and starts over from 0', async () => {
    const sink = await storage('reset/').openSink({ fileName: 's.mp4', taskId: 'task-s' });
    const first = sink.name;
    await sink.write(seededPayload(PART_SIZE + 5, 3));
    await sink.reset();
    expect(sink.offset).toBe(0);
    expect((await sink.durableCheckpoint()).offset).toBe(0);
    expect(await pendingUploads('reset/')).toEqual([sink.name]);
    expect(sink.name).not.toBe(first);
    for (const chunk of chunksOf(video)) await sink.write(chunk);
    const stored = await sink.verifyAndCommit({ bytes: video.length, sha256: sha256Hex(video) });
    expect(sha256Hex(await readObject('reset/s.mp4'))).toBe(stored.sha256);
  });

  it('refuses a non-MP4 with the MP4 message and stores nothing', async () => {
    const bytes = seededPayload(PART_SIZE + 123, 9);
    const sink = await storage('bad/').openSink({ fileName: 'b.mp4', taskId: 'task-b' });
    for (const chunk of chunksOf(bytes)) await sink.write(chunk);
    const error = await sink.verifyAndCommit({ bytes: bytes.length, sha256: sha256Hex(bytes) }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidVideoError);
    expect((error as InvalidVideoError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/^the downloaded file is not a complete MP4: /);
    await sink.discard();
    expect(await listedKeys('bad/')).toEqual([]);
    expect(await pendingUploads('bad/')).toEqual([]);
  });

  it('createStorage builds an S3 storage from the AWS environment', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, server.env);
    try {
      const store = await createStorage(`s3://${BUCKET}/env/`);
      expect(store).toBeInstanceOf(S3Storage);
      expect(store.describe()).toBe(`s3://${BUCKET}/env/`);
      expect(await store.find('nothing.mp4')).toBeUndefined();
    } finally {
      for (const key of Object.keys(server.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
