// The S3 sink's multipart writer against a real S3 server (SeaweedFS on loopback).
import { CreateMultipartUploadCommand, HeadObjectCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  abortMultipartUpload,
  createS3Client,
  MultipartUpload,
  S3CheckpointInvalidError,
  S3ConfigurationError,
  S3UploadGoneError,
  S3VerificationError,
  sweepAbandonedUploads,
  type MultipartCheckpoint,
} from '../../../src/storage/s3';
import type { S3Server } from '../../../src/testing/s3-server';
import { startTestBucket, type TestBucket } from '../../helpers/s3-bucket';
import { chunksOf, seededPayload, sha256Hex } from './payload';

const MIB = 1024 * 1024;
const PART_SIZE = 5 * MIB;
const BUCKET = 'seedance-videos';

let bucket: TestBucket;
let server: S3Server;
let client: S3Client;

beforeAll(async () => {
  bucket = await startTestBucket(BUCKET);
  ({ server, client } = bucket);
});

afterAll(async () => {
  await bucket?.close();
});

async function writeAll(upload: MultipartUpload, bytes: Buffer): Promise<void> {
  for (const chunk of chunksOf(bytes)) await upload.write(chunk);
}

const readObject = (key: string) => bucket.readObject(key);
const listedKeys = (prefix: string) => bucket.listedKeys(prefix);
const pendingUploads = (prefix: string) => bucket.pendingUploads(prefix);

describe('MultipartUpload', () => {
  it('uploads full parts and a short last one, invisible until complete, with its metadata', async () => {
    const payload = seededPayload(3 * PART_SIZE + 1_234_567, 1);
    const key = 'whole/intro.mp4';
    const upload = await MultipartUpload.start(client, {
      bucket: BUCKET,
      key,
      partSize: PART_SIZE,
      contentType: 'video/mp4',
      metadata: { 'task-id': 'video_abc123', model: 'seedance_1_5_pro_720p' },
    });
    await writeAll(upload, payload);

    const checkpoint = upload.checkpoint();
    expect(checkpoint.parts.map((part) => part.partNumber)).toEqual([1, 2, 3]);
    expect(checkpoint.offset).toBe(3 * PART_SIZE);
    expect(upload.bytesWritten).toBe(payload.length);
    expect(upload.sha256()).toBe(sha256Hex(payload));
    expect(await listedKeys('whole/')).toEqual([]);

    const result = await upload.complete({ bytes: payload.length, sha256: sha256Hex(payload) });
    expect(result).toEqual({
      bucket: BUCKET,
      key,
      uri: `s3://${BUCKET}/${key}`,
      bytes: payload.length,
      sha256: sha256Hex(payload),
    });
    expect(await listedKeys('whole/')).toEqual([key]);
    expect(sha256Hex(await readObject(key))).toBe(sha256Hex(payload));
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentLength).toBe(payload.length);
    expect(head.ContentType).toBe('video/mp4');
    expect(head.Metadata).toEqual({
      'task-id': 'video_abc123',
      model: 'seedance_1_5_pro_720p',
      sha256: sha256Hex(payload),
    });
    expect(await pendingUploads('whole/')).toEqual([]);
  });

  it('resumes on another machine from a JSON checkpoint, re-feeding at most one part', async () => {
    const payload = seededPayload(4 * PART_SIZE + 777_777, 2);
    const key = 'resume/clip.mp4';
    const writerA = await MultipartUpload.start(client, {
      bucket: BUCKET,
      key,
      partSize: PART_SIZE,
      metadata: { 'task-id': 'video_resume' },
    });
    const writtenByA = 2.5 * PART_SIZE;
    await writeAll(writerA, payload.subarray(0, writtenByA));
    const heartbeat = JSON.stringify(writerA.checkpoint()); // writer A dies here, never completing
    expect(heartbeat.length).toBeLessThan(1_000);

    const checkpoint = JSON.parse(heartbeat) as MultipartCheckpoint;
    expect(checkpoint.offset).toBe(2 * PART_SIZE);
    const writerB = await MultipartUpload.resume(client, checkpoint);
    expect(writerB.bytesWritten).toBe(checkpoint.offset);
    await writeAll(writerB, payload.subarray(checkpoint.offset));
    const result = await writerB.complete({ bytes: payload.length });

    expect(writtenByA - checkpoint.offset).toBeLessThanOrEqual(PART_SIZE); // bytes served twice
    expect(result.sha256).toBe(sha256Hex(payload));
    expect(sha256Hex(await readObject(key))).toBe(sha256Hex(payload));
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.Metadata).toEqual({ 'task-id': 'video_resume', sha256: sha256Hex(payload) });
  });

  it('refuses a checkpoint whose parts disagree with the server, or that is malformed', async () => {
    const upload = await MultipartUpload.start(client, { bucket: BUCKET, key: 'tampered/a.mp4', partSize: PART_SIZE });
    await writeAll(upload, seededPayload(PART_SIZE + 10, 3));
    const checkpoint = upload.checkpoint();
    const wrongEtag = {
      ...checkpoint,
      parts: [{ ...checkpoint.parts[0]!, etag: '"0123456789abcdef0123456789abcdef"' }],
    };
    await expect(MultipartUpload.resume(client, wrongEtag)).rejects.toThrow(S3CheckpointInvalidError);
    await expect(MultipartUpload.resume(client, { ...checkpoint, offset: 7 })).rejects.toThrow(
      S3CheckpointInvalidError,
    );
    await expect(MultipartUpload.resume(client, { ...checkpoint, hashState: 'AAAA' })).rejects.toThrow(
      S3CheckpointInvalidError,
    );
    await expect(MultipartUpload.resume(client, 'nonsense')).rejects.toThrow(S3CheckpointInvalidError);
    await upload.abort();
  });

  it('does not complete bytes that fail verification', async () => {
    const payload = seededPayload(PART_SIZE + 100, 4);
    const upload = await MultipartUpload.start(client, { bucket: BUCKET, key: 'verify/a.mp4', partSize: PART_SIZE });
    await writeAll(upload, payload);
    await expect(upload.complete({ bytes: payload.length + 1 })).rejects.toThrow(S3VerificationError);
    await expect(upload.complete({ sha256: sha256Hex(Buffer.from('other')) })).rejects.toThrow(S3VerificationError);
    expect(await listedKeys('verify/')).toEqual([]);
    await upload.abort();
    expect(await pendingUploads('verify/')).toEqual([]);
  });

  it('abort leaves no multipart upload, and a resume after it says the upload is gone', async () => {
    const key = 'aborted/a.mp4';
    const upload = await MultipartUpload.start(client, { bucket: BUCKET, key, partSize: PART_SIZE });
    await writeAll(upload, seededPayload(PART_SIZE + PART_SIZE / 2, 5));
    const checkpoint = JSON.parse(JSON.stringify(upload.checkpoint())) as MultipartCheckpoint;
    expect(await pendingUploads('aborted/')).toEqual([{ key, uploadId: upload.uploadId }]);

    await upload.abort();
    expect(await pendingUploads('aborted/')).toEqual([]);
    expect(await listedKeys('aborted/')).toEqual([]);
    const resumed = MultipartUpload.resume(client, checkpoint);
    await expect(resumed).rejects.toThrow(S3UploadGoneError);
    await expect(resumed).rejects.toMatchObject({
      code: 'S3UploadGone',
      retryable: true,
      uploadId: checkpoint.uploadId,
    });
    // A cancel holding only the checkpoint may abort again: already gone is fine.
    await abortMultipartUpload(client, checkpoint);
  });
});

describe('sweepAbandonedUploads', () => {
  it('aborts only the uploads under the prefix initiated before the cutoff', async () => {
    const start = (key: string) => client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    await start('sweep/old-1.mp4');
    await start('sweep/old-2.mp4');
    await start('sweep-other/old.mp4');
    await start('elsewhere/old.mp4');
    // S3 reports Initiated to the second: leave more than a second on each side of the cutoff.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const cutoff = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await start('sweep/new.mp4');

    const result = await sweepAbandonedUploads(client, BUCKET, 'sweep/', Date.now() - cutoff);

    expect(result.aborted.map((upload) => upload.key).sort()).toEqual(['sweep/old-1.mp4', 'sweep/old-2.mp4']);
    expect(result.kept).toBe(1);
    expect((await pendingUploads('sweep')).map((upload) => upload.key).sort()).toEqual([
      'sweep-other/old.mp4',
      'sweep/new.mp4',
    ]);
    expect((await pendingUploads('elsewhere/')).map((upload) => upload.key)).toEqual(['elsewhere/old.mp4']);
  });
});

describe('createS3Client', () => {
  it('takes endpoint, region and credentials from the standard AWS environment', async () => {
    for (const [name, value] of Object.entries(server.env)) vi.stubEnv(name, value);
    vi.stubEnv('AWS_PROFILE', undefined);
    vi.stubEnv('AWS_ENDPOINT_URL', undefined);
    try {
      const fromEnv = createS3Client();
      const buckets = await fromEnv.send(new ListBucketsCommand({}));
      expect(buckets.Buckets?.map((bucket) => bucket.Name)).toContain(BUCKET);
      fromEnv.destroy();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuses an unreadable SEEDANCE_S3_FORCE_PATH_STYLE', () => {
    expect(() => createS3Client({}, { SEEDANCE_S3_FORCE_PATH_STYLE: 'yes please' })).toThrow(S3ConfigurationError);
  });
});
