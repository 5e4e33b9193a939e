/**
 * The sweeper of abandoned multipart uploads: a worker killed for good, or a checkpoint lost,
 * leaves an upload whose parts are billed and never completed. Uploads under a prefix that were
 * initiated before a cutoff are aborted. Pick `olderThanMs` well above the longest download
 * (a day, the Seedance retention, is safe), so a live upload is never swept.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { abortMultipartUpload, listOpenUploads } from './s3-operations';

export interface SweptUpload {
  key: string;
  uploadId: string;
  initiated: Date;
}

export interface SweepResult {
  aborted: SweptUpload[];
  /** Uploads under the prefix that are recent enough to be live. */
  kept: number;
}

/** Aborts the multipart uploads under `prefix` of `bucket` initiated more than `olderThanMs` before `now`. */
export async function sweepAbandonedUploads(
  client: S3Client,
  bucket: string,
  prefix: string,
  olderThanMs: number,
  now: number = Date.now(),
): Promise<SweepResult> {
  const cutoff = now - olderThanMs;
  const result: SweepResult = { aborted: [], kept: 0 };
  for await (const upload of listOpenUploads(client, bucket, prefix)) {
    const { Key: key, UploadId: uploadId, Initiated: initiated } = upload;
    if (!key || !uploadId || !key.startsWith(prefix)) continue;
    if (!initiated || initiated.getTime() >= cutoff) {
      result.kept++;
      continue;
    }
    await abortMultipartUpload(client, { bucket, key, uploadId });
    result.aborted.push({ key, uploadId, initiated });
  }
  return result;
}
