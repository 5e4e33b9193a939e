// Opening an S3 storage (the worker's start) aborts the multipart uploads that downloads abandoned
// long ago under its prefix, and leaves live ones and other prefixes alone: the S3 counterpart of
// the local storage removing stale partial files.
import { CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Storage } from '../../../src/storage/s3/s3-storage';
import { startTestBucket, type TestBucket } from '../../helpers/s3-bucket';

const BUCKET = 'open-sweep';
let bucket: TestBucket;

beforeAll(async () => {
  bucket = await startTestBucket(BUCKET);
});

afterAll(async () => {
  await bucket?.close();
});

async function openUpload(key: string): Promise<string> {
  const created = await bucket.client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  return created.UploadId!;
}

it('keeps uploads younger than two days, aborts older ones under its own prefix only', async () => {
  await openUpload('videos/live.mp4');
  await openUpload('elsewhere/other.mp4');
  await S3Storage.open(bucket.client, `s3://${BUCKET}/videos/`);
  expect((await bucket.pendingUploads('videos/')).map((u) => u.key)).toEqual(['videos/live.mp4']);

  // Every upload counts as abandoned when the age limit is zero.
  await new Promise((resolve) => setTimeout(resolve, 1_100)); // S3 stamps `Initiated` in whole seconds
  await S3Storage.open(bucket.client, `s3://${BUCKET}/videos/`, { abandonedAfterMs: 0 });
  expect(await bucket.pendingUploads('videos/')).toEqual([]);
  expect((await bucket.pendingUploads('elsewhere/')).map((u) => u.key)).toEqual(['elsewhere/other.mp4']);
});

it('opens even when the bucket cannot be listed (the sweep is best effort)', async () => {
  const storage = await S3Storage.open(bucket.client, 's3://no-such-bucket-here/videos/');
  expect(storage.describe()).toBe('s3://no-such-bucket-here/videos/');
});
