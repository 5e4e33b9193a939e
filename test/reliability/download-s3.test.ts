// The real download activity through the storage port into SeaweedFS: one attempt stores the
// simulator's video with its sha256, task id and model in the object's metadata; a broken
// attempt's last heartbeat lets the next one resume the same upload. And through the real
// workflow (time-skipping server), the model the workflow learned from the task reaches the object.
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeedanceVideoResult } from '../../src/contract/types';
import { createSeedanceWorker } from '../../src/create-worker';
import { createSimulator, type Simulator } from '../../src/simulator';
import { loadSampleVideo, withTrailingFreeBox } from '../../src/simulator/sample-video';
import type { S3SinkCheckpoint } from '../../src/storage/s3/s3-sink';
import { S3Storage } from '../../src/storage/s3/s3-storage';
import { activityRunner, downloadInput, type ActivityRunner } from '../helpers/download-activity';
import { sha256 } from '../helpers/files';
import { SIM_KEY, workflowBundle } from '../helpers/harness';
import { startTestBucket, type TestBucket } from '../helpers/s3-bucket';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { readyTask, startAwait } from '../helpers/workflows';

const MIB = 1024 * 1024;
const BUCKET = 'activity-videos';
let bucket: TestBucket;
let sim: Simulator;
let run: ActivityRunner;

beforeAll(async () => {
  bucket = await startTestBucket(BUCKET);
  sim = await createSimulator({ apiKey: SIM_KEY, video: withTrailingFreeBox(loadSampleVideo(), 'x'.repeat(12 * MIB)) });
  const storage = new S3Storage(bucket.client, `s3://${BUCKET}/out/`, { partSize: 5 * MIB });
  run = activityRunner(sim, storage, { idleTimeoutMs: 2_000 });
});

afterAll(async () => {
  await sim?.close();
  await bucket?.close();
});

async function objectSha256(key: string): Promise<string> {
  return sha256(await bucket.readObject(key));
}

async function objectMetadata(key: string): Promise<Record<string, string> | undefined> {
  return (await bucket.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).Metadata;
}

it('one attempt stores the video in S3 with sha256, task id and model in its metadata', async () => {
  const input = { ...(await downloadInput(sim, 's3one')), model: 'seedance_1_5_pro_720p' };
  const stored = await run.attempt(input).result;
  expect(stored).toEqual({
    uri: `s3://${BUCKET}/out/${input.fileName}`,
    bytes: sim.video.length,
    sha256: sim.videoSha256,
  });
  expect(await objectSha256(`out/${input.fileName}`)).toBe(sim.videoSha256);
  expect(await objectMetadata(`out/${input.fileName}`)).toEqual({
    sha256: sim.videoSha256,
    'task-id': input.taskId,
    model: 'seedance_1_5_pro_720p',
  });
});

it('a broken attempt is resumed by the next from its last heartbeat, same upload', async () => {
  const input = await downloadInput(sim, 's3resume');
  sim.inject({ kind: 'reset', afterBytes: 11 * MIB });
  const first = run.attempt(input);
  await expect(first.result).rejects.toThrow();
  const last = first.heartbeats.at(-1) as unknown as S3SinkCheckpoint;
  expect(last.offset).toBeGreaterThanOrEqual(5 * MIB);
  const second = run.attempt(input, { attempt: 2, heartbeatDetails: last });
  const stored = await second.result;
  expect(stored.sha256).toBe(sim.videoSha256);
  const resumed = second.heartbeats.map((h) => (h as unknown as S3SinkCheckpoint).upload?.uploadId);
  expect(resumed.filter(Boolean)).toContain(last.upload.uploadId);
  expect(await objectSha256(`out/${input.fileName}`)).toBe(sim.videoSha256);
});

describe('through the workflow', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('the object of awaitSeedanceVideo carries the task’s model, task id and sha256', async () => {
    const taskQueue = `seedance-s3-${process.pid}`;
    const worker = await createSeedanceWorker({
      connection: env.nativeConnection,
      taskQueue,
      seedance: { apiKey: SIM_KEY, baseUrl: sim.url, timeoutMs: 5_000 },
      output: new S3Storage(bucket.client, `s3://${BUCKET}/workflow/`, { partSize: 5 * MIB }),
      download: { allowPrivateUrls: true },
      workflowBundle: await workflowBundle(),
    });
    const { taskId } = await readyTask(sim, 's3workflow', { model: 'seedance_1_5_pro_1080p' });
    const running = worker.run();
    let result: SeedanceVideoResult;
    try {
      result = await (await startAwait(env.client, taskQueue, { taskId })).result();
    } finally {
      worker.shutdown();
      await running;
    }
    expect(result.video).toEqual({
      uri: `s3://${BUCKET}/workflow/${taskId}.mp4`,
      bytes: sim.video.length,
      sha256: sim.videoSha256,
    });
    expect(await objectMetadata(`workflow/${taskId}.mp4`)).toEqual({
      sha256: sim.videoSha256,
      'task-id': taskId,
      model: 'seedance_1_5_pro_1080p',
    });
  });
});
