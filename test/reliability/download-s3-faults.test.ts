/**
 * S3 faults as a user meets them, on the real download activity writing through the production
 * S3 client (`createS3Client`: the AWS SDK's standard retry mode, 3 attempts) to SeaweedFS behind
 * a fault proxy: `503 SlowDown`, a connection reset in the middle of a part, and a multipart
 * upload that expired (aborted out of band, as a lifecycle rule does) between attempts or during
 * one. Attempt by attempt: each attempt gets the previous one's last heartbeat, as Temporal hands
 * it to a retry. The oracles: the proxy's request log, the simulator's Range log, the object's
 * bytes and the uploads left open.
 *
 * Who absorbs what: fewer faults in a row than the SDK's attempts are retried inside the S3 call
 * (one activity attempt, one video GET); as many as its attempts fail the activity attempt with
 * the retryable `SeedanceStorageError`, and the next attempt resumes the same upload from the
 * checkpoint. An upload that is gone is never resumed: the next attempt starts a new one from byte 0.
 */
import { AbortMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/simulator';
import { createS3Client } from '../../src/storage/s3/s3-client';
import type { S3SinkCheckpoint } from '../../src/storage/s3/s3-sink';
import { S3Storage } from '../../src/storage/s3/s3-storage';
import { rejection } from '../helpers/assertions';
import { activityRunner, downloadInput, type ActivityRun, type ActivityRunner } from '../helpers/download-activity';
import { sha256 } from '../helpers/files';
import { SIM_KEY } from '../helpers/harness';
import { videoRequests } from '../helpers/requests';
import { startS3FaultProxy, type S3FaultProxy, type S3Operation } from '../helpers/s3-fault-proxy';
import { startTestBucket, type TestBucket } from '../helpers/s3-bucket';
import { TEST_PART_SIZE, videoOfParts } from '../helpers/sinks';

const MIB = 1024 * 1024;
const BUCKET = 's3-faults';
/** The SDK's standard retry mode: one try and two retries per call. */
const SDK_ATTEMPTS = 3;

let bucket: TestBucket;
let proxy: S3FaultProxy;
let client: S3Client;
let sim: Simulator;
let prefixes = 0;

beforeAll(async () => {
  bucket = await startTestBucket(BUCKET);
  proxy = await startS3FaultProxy(bucket.server.endpoint);
  client = createS3Client({ ...bucket.server.clientConfig(), endpoint: proxy.endpoint });
  sim = await createSimulator({ apiKey: SIM_KEY, video: videoOfParts(3) });
});

afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await sim?.close();
  await bucket?.close();
});

afterEach(() => {
  proxy.clearFaults();
  sim.clearFaults();
});

interface Case {
  run: ActivityRunner;
  input: { taskId: string; fileName: string };
  key: string;
  prefix: string;
}

/** A fresh prefix of the bucket, the activity writing there through the proxy, and a ready task. */
async function newCase(name: string): Promise<Case> {
  const prefix = `${name}-${++prefixes}/`;
  const storage = new S3Storage(client, `s3://${BUCKET}/${prefix}`, { partSize: TEST_PART_SIZE });
  const input = await downloadInput(sim, name);
  return { run: activityRunner(sim, storage, { idleTimeoutMs: 2_000 }), input, key: prefix + input.fileName, prefix };
}

function checkpoints(run: ActivityRun): S3SinkCheckpoint[] {
  return (run.heartbeats as unknown as S3SinkCheckpoint[]).filter((h) => h.upload);
}

function failureOf(error: unknown): ApplicationFailure {
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

/** The object holds the simulator's video and no upload is left open under the prefix. */
async function expectStored(c: Case): Promise<void> {
  expect(sha256(await bucket.readObject(c.key))).toBe(sim.videoSha256);
  expect(await bucket.pendingUploads(c.prefix)).toEqual([]);
}

/** Proxy log entries of `operation` since `from`, as `fault-or-status`. */
function outcomes(operation: S3Operation, from = 0): string[] {
  return proxy.log
    .slice(from)
    .filter((r) => r.operation === operation)
    .map((r) => r.fault ?? String(r.status));
}

/**
 * `fault` on every SDK try of the second UploadPart: the attempt fails with a retryable
 * SeedanceStorageError whose message matches `message`, checkpointed after the first part; the
 * next attempt resumes the same upload with Range at the checkpoint and stores the right video.
 */
async function failsThenResumes(name: string, fault: Parameters<typeof proxy.inject>[1], message: string | RegExp) {
  const c = await newCase(name);
  proxy.inject('UploadPart', fault, { skip: 1, times: SDK_ATTEMPTS });
  const first = c.run.attempt(c.input);
  const failure = failureOf(await rejection(first.result));
  expect(failure.type).toBe('SeedanceStorageError');
  expect(failure.nonRetryable).toBe(false);
  if (typeof message === 'string') expect(failure.message).toBe(message);
  else expect(failure.message).toMatch(message);
  const checkpoint = checkpoints(first).at(-1)!;
  expect(checkpoint.offset).toBe(TEST_PART_SIZE);

  const second = c.run.attempt(c.input, { attempt: 2, heartbeatDetails: checkpoint });
  expect((await second.result).sha256).toBe(sim.videoSha256);
  expect(videoRequests(sim, c.input.taskId)[1]!.range).toBe(`bytes=${TEST_PART_SIZE}-`);
  expect(new Set(checkpoints(second).map((h) => h.upload.uploadId))).toEqual(new Set([checkpoint.upload.uploadId]));
  await expectStored(c);
  return c;
}

describe('503 SlowDown', () => {
  it.each(['CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload'] as const)(
    'on %s, twice: the SDK retries it within the call; one attempt stores the right video',
    async (operation) => {
      const c = await newCase(`slow-${operation.toLowerCase()}`);
      const from = proxy.log.length;
      proxy.inject(operation, { kind: 'slowDown' }, { times: SDK_ATTEMPTS - 1 });
      const stored = await c.run.attempt(c.input).result;
      expect(stored.sha256).toBe(sim.videoSha256);
      expect(outcomes(operation, from).slice(0, SDK_ATTEMPTS)).toEqual(['slowDown', 'slowDown', '200']);
      expect(videoRequests(sim, c.input.taskId)).toHaveLength(1); // no second activity attempt
      await expectStored(c);
    },
  );

  it('on every try of an UploadPart: the attempt fails retryably, and the next resumes the same upload from its checkpoint', async () => {
    const c = await failsThenResumes(
      'slow-exhausted',
      { kind: 'slowDown' },
      'S3 UploadPart failed: SlowDown (HTTP 503)',
    );
    expect(proxy.requests('CreateMultipartUpload').filter((r) => r.path === `/${BUCKET}/${c.key}`)).toHaveLength(1);
  });
});

describe('a connection reset in the middle of a part', () => {
  it('once: the SDK sends the part again; one attempt stores the right video', async () => {
    const c = await newCase('reset-once');
    const from = proxy.log.length;
    proxy.inject('UploadPart', { kind: 'reset', afterBodyBytes: MIB }, { skip: 1 });
    const stored = await c.run.attempt(c.input).result;
    expect(stored.sha256).toBe(sim.videoSha256);
    const parts = proxy.log.slice(from).filter((r) => r.operation === 'UploadPart');
    expect(parts.map((r) => [r.partNumber, r.fault ?? r.status])).toEqual([
      [1, 200],
      [2, 'reset'],
      [2, 200],
      [3, 200],
    ]);
    expect(videoRequests(sim, c.input.taskId)).toHaveLength(1);
    await expectStored(c);
  });

  it('on every try: the attempt fails retryably, and the next resumes the same upload from its checkpoint', async () => {
    await failsThenResumes(
      'reset-exhausted',
      { kind: 'reset', afterBodyBytes: MIB },
      /^S3 UploadPart failed: (ECONNRESET|EPIPE)$/,
    );
  });
});

describe('an expired multipart upload', () => {
  const abort = (key: string, uploadId: string) =>
    bucket.client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));

  it('between attempts: the next attempt meets NoSuchUpload, starts a new upload from byte 0, and leaves none open', async () => {
    const c = await newCase('expired-between');
    sim.inject({ kind: 'fin', afterBytes: TEST_PART_SIZE + MIB });
    const first = c.run.attempt(c.input);
    await rejection(first.result);
    const checkpoint = checkpoints(first).at(-1)!;
    expect(checkpoint.offset).toBe(TEST_PART_SIZE);
    await abort(c.key, checkpoint.upload.uploadId); // what a lifecycle rule does

    const from = proxy.log.length;
    const second = c.run.attempt(c.input, { attempt: 2, heartbeatDetails: checkpoint });
    expect((await second.result).sha256).toBe(sim.videoSha256);
    expect(outcomes('ListParts', from)).toEqual(['404']); // NoSuchUpload
    const uploads = new Set(checkpoints(second).map((h) => h.upload.uploadId));
    expect(uploads.size).toBe(1);
    expect(uploads.has(checkpoint.upload.uploadId)).toBe(false);
    expect(videoRequests(sim, c.input.taskId).map((g) => g.range ?? null)).toEqual([null, null]);
    await expectStored(c);
  });

  it('during an attempt: it fails with the retryable SeedanceStorageError, and the next starts a new upload', async () => {
    const c = await newCase('expired-during');
    proxy.inject(
      'UploadPart',
      { kind: 'before', action: async (request) => void (await abort(c.key, request.uploadId!)) },
      { skip: 1 },
    );
    const first = c.run.attempt(c.input);
    const failure = failureOf(await rejection(first.result));
    expect(failure.type).toBe('SeedanceStorageError');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe(
      `the multipart upload of s3://${BUCKET}/${c.key} no longer exists (expired or aborted)`,
    );
    const checkpoint = checkpoints(first).at(-1)!;

    const second = c.run.attempt(c.input, { attempt: 2, heartbeatDetails: checkpoint });
    expect((await second.result).sha256).toBe(sim.videoSha256);
    expect(checkpoints(second).every((h) => h.upload.uploadId !== checkpoint.upload.uploadId)).toBe(true);
    expect(videoRequests(sim, c.input.taskId).at(-1)!.range).toBeUndefined();
    await expectStored(c);
  });
});
