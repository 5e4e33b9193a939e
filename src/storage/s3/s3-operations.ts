/**
 * Single S3 calls shared by the multipart writer, the cancel path and the sweeper, with the SDK's
 * errors turned into the sink's typed errors.
 */
import {
  AbortMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  type MultipartUpload as ListedUpload,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { UploadedPart } from './checkpoint';
import { isNoSuchUpload, isNotFound, S3RequestError, S3UploadGoneError } from './s3-errors';

/** The user-metadata key (`x-amz-meta-sha256`) holding the object's hex SHA-256. */
export const SHA256_METADATA_KEY = 'sha256';

export interface UploadTarget {
  bucket: string;
  key: string;
  uploadId: string;
}

/**
 * Runs one S3 call. `NoSuchUpload` becomes `S3UploadGoneError` (for calls about an upload, i.e.
 * with a `target`); any other failure left after the SDK's retries becomes `S3RequestError`.
 */
export async function send<T>(operation: string, target: UploadTarget | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (target && isNoSuchUpload(err)) throw new S3UploadGoneError(target.bucket, target.key, target.uploadId);
    throw new S3RequestError(operation, err);
  }
}

/** Aborts `target`'s upload, e.g. from a cancel that holds only the checkpoint. Gone already is fine. */
export async function abortMultipartUpload(client: S3Client, target: UploadTarget): Promise<void> {
  try {
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: target.uploadId }),
    );
  } catch (err) {
    if (isNoSuchUpload(err)) return;
    throw new S3RequestError('AbortMultipartUpload', err);
  }
}

export interface StoredObject {
  bytes: number;
  /** From the `sha256` metadata; undefined if the object has none (not from this sink, or not finished). */
  sha256: string | undefined;
  /** The server's checksum of a multipart object: base64 SHA-256 of the parts' checksums, `-<parts>`. */
  checksumSha256: string | undefined;
  metadata: Record<string, string>;
  contentType: string | undefined;
}

/** The complete object at `key`, or undefined if there is none. */
export async function findStoredObject(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<StoredObject | undefined> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    const metadata = head.Metadata ?? {};
    return {
      bytes: head.ContentLength ?? 0,
      sha256: metadata[SHA256_METADATA_KEY],
      checksumSha256: head.ChecksumSHA256,
      metadata,
      contentType: head.ContentType,
    };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new S3RequestError('HeadObject', err);
  }
}

export interface PutTarget {
  bucket: string;
  key: string;
  body: Uint8Array;
  contentType: string;
  /** User metadata (`x-amz-meta-*`), `sha256` included. */
  metadata: Record<string, string>;
}

/**
 * Writes a small object in one PutObject, with its SHA-256 checksum: the server refuses a body
 * that arrived other than sent, and the object appears whole or not at all.
 */
export async function putObject(client: S3Client, target: PutTarget): Promise<void> {
  const checksumSha256 = createHash('sha256').update(target.body).digest('base64');
  await send('PutObject', undefined, () =>
    client.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: target.key,
        Body: target.body,
        ContentLength: target.body.length,
        ContentType: target.contentType,
        Metadata: target.metadata,
        ChecksumSHA256: checksumSha256,
      }),
    ),
  );
}

/** The composite checksum S3 gives an object completed from `parts`, to recognize it later. */
export function compositeSha256(parts: UploadedPart[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(Buffer.from(part.checksumSha256, 'base64'));
  return `${hash.digest('base64')}-${parts.length}`;
}

export interface ListedPart {
  etag: string;
  size: number | undefined;
}

/** Every part uploaded so far, by part number (ListParts, paginated). Throws `S3UploadGoneError`. */
export async function listUploadedParts(client: S3Client, target: UploadTarget): Promise<Map<number, ListedPart>> {
  const parts = new Map<number, ListedPart>();
  let marker: string | undefined;
  for (;;) {
    const page = await send('ListParts', target, () =>
      client.send(
        new ListPartsCommand({
          Bucket: target.bucket,
          Key: target.key,
          UploadId: target.uploadId,
          PartNumberMarker: marker,
        }),
      ),
    );
    for (const part of page.Parts ?? []) {
      if (part.PartNumber && part.ETag) parts.set(part.PartNumber, { etag: part.ETag, size: part.Size });
    }
    const next = page.NextPartNumberMarker;
    if (!page.IsTruncated || !next || next === marker) return parts;
    marker = next;
  }
}

/** ETags compare without their quotes (some servers and SDK paths drop them). */
export function sameEtag(a: string, b: string): boolean {
  return a.replace(/^"|"$/g, '') === b.replace(/^"|"$/g, '');
}

/** Every multipart upload still open under `prefix` of `bucket`, page by page. */
export async function* listOpenUploads(client: S3Client, bucket: string, prefix: string): AsyncGenerator<ListedUpload> {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await send('ListMultipartUploads', undefined, () =>
      client.send(
        new ListMultipartUploadsCommand({
          Bucket: bucket,
          Prefix: prefix || undefined,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      ),
    );
    yield* page.Uploads ?? [];
    // SeaweedFS pages by upload id alone and returns no NextKeyMarker: pass on what the server gives.
    const nextKeyMarker = page.NextKeyMarker || undefined;
    const nextUploadIdMarker = page.NextUploadIdMarker || undefined;
    const advanced = nextKeyMarker !== keyMarker || nextUploadIdMarker !== uploadIdMarker;
    if (!page.IsTruncated || !advanced || (!nextKeyMarker && !nextUploadIdMarker)) return;
    keyMarker = nextKeyMarker;
    uploadIdMarker = nextUploadIdMarker;
  }
}
