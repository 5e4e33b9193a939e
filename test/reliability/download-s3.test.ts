// The real download activity through the storage port into SeaweedFS: one attempt stores the
// simulator's video; a broken attempt's last heartbeat lets the next one resume the same upload.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/simulator';
import { loadSampleVideo, withTrailingFreeBox } from '../../src/simulator/sample-video';
import type { S3SinkCheckpoint } from '../../src/storage/s3/s3-sink';
import { S3Storage } from '../../src/storage/s3/s3-storage';
import { activityRunner, downloadInput, type ActivityRunner } from '../helpers/download-activity';
import { sha256 } from '../helpers/files';
import { SIM_KEY } from '../helpers/harness';
import { startTestBucket, type TestBucket } from '../helpers/s3-bucket';

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
