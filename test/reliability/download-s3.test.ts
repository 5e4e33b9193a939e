// The real download activity through the storage port into SeaweedFS: one attempt stores the
// simulator's video; a broken attempt's last heartbeat lets the next one resume the same upload.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/simulator';
import { loadSampleVideo, withTrailingFreeBox } from '../../src/simulator/sample-video';
import type { S3SinkCheckpoint } from '../../src/storage/s3/s3-sink';
import { S3Storage } from '../../src/storage/s3/s3-storage';
import { findSeaweed } from '../../src/testing/binaries';
import { startS3Server, type S3Server } from '../../src/testing/s3-server';
import { activityRunner, downloadInput, type ActivityRunner } from '../helpers/download-activity';
import { sha256 } from '../helpers/files';
import { SIM_KEY } from '../helpers/harness';

const MIB = 1024 * 1024;
const BUCKET = 'activity-videos';
let server: S3Server;
let client: S3Client;
let sim: Simulator;
let run: ActivityRunner;

beforeAll(async () => {
  await findSeaweed();
  server = await startS3Server();
  client = new S3Client(server.clientConfig());
  await server.createBucket(BUCKET);
  sim = await createSimulator({ apiKey: SIM_KEY, video: withTrailingFreeBox(loadSampleVideo(), 'x'.repeat(12 * MIB)) });
  const storage = new S3Storage(client, `s3://${BUCKET}/out/`, { partSize: 5 * MIB });
  run = activityRunner(sim, storage, { idleTimeoutMs: 2_000 });
});

afterAll(async () => {
  await sim?.close();
  client?.destroy();
  await server?.stop();
});

async function objectSha256(key: string): Promise<string> {
  const response = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return sha256(Buffer.from(await response.Body!.transformToByteArray()));
}

it('one attempt stores the video in S3 with its sha256', async () => {
  const input = await downloadInput(sim, 's3one');
  const stored = await run.attempt(input).result;
  expect(stored).toEqual({
    uri: `s3://${BUCKET}/out/${input.fileName}`,
    bytes: sim.video.length,
    sha256: sim.videoSha256,
  });
  expect(await objectSha256(`out/${input.fileName}`)).toBe(sim.videoSha256);
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
