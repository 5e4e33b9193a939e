/** Reading back what the S3 sink stored, as any S3 client would: a plain GET, streamed, and a HEAD. */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface ObjectDigest {
  bytes: number;
  sha256: string;
}

/** The length and sha256 of an object, hashed as its GET body streams in (never held whole). */
export async function objectDigest(client: S3Client, bucket: string, key: string): Promise<ObjectDigest> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of response.Body as Readable) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** The object's user metadata (`x-amz-meta-*`, keys lower-case). */
export async function objectMetadata(client: S3Client, bucket: string, key: string): Promise<Record<string, string>> {
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return head.Metadata ?? {};
}
