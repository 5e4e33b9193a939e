/**
 * A resumable, streaming S3 multipart upload. Bytes written are gathered into one part buffer and
 * uploaded part by part, each with its SHA-256 checksum, so memory stays at one part plus the
 * caller's chunk. `checkpoint()` describes the parts durably uploaded so far and the SHA-256 state
 * after them; `MultipartUpload.resume(client, checkpoint)` on any machine continues the same
 * upload from that byte offset. Nothing is visible under the key until `complete()`, which first
 * checks the length and sha256 the caller expects.
 */
import { createHash } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createSHA256, type IHasher } from 'hash-wasm';
import { CHECKPOINT_VERSION, parseCheckpoint, type MultipartCheckpoint, type UploadedPart } from './checkpoint';
import { formatS3Uri } from './s3-location';
import {
  S3CheckpointInvalidError,
  S3RequestError,
  S3TooManyPartsError,
  S3UploadGoneError,
  S3VerificationError,
} from './s3-errors';
import {
  abortMultipartUpload,
  compositeSha256,
  findStoredObject,
  listUploadedParts,
  sameEtag,
  send,
  SHA256_METADATA_KEY,
} from './s3-operations';

const MIB = 1024 * 1024;
export const DEFAULT_PART_SIZE = 8 * MIB;
/** S3's minimum for every part but the last. */
export const MIN_PART_SIZE = 5 * MIB;
export const MAX_PART_SIZE = 5 * 1024 * MIB;
export const MAX_PARTS = 10_000;

export interface StartUploadOptions {
  bucket: string;
  key: string;
  /** User metadata (`x-amz-meta-*`), e.g. task id and model; `sha256` is added by `complete()`. */
  metadata?: Record<string, string>;
  contentType?: string;
  partSize?: number;
}

export interface CompletedUpload {
  bucket: string;
  key: string;
  /** `s3://bucket/key` */
  uri: string;
  bytes: number;
  sha256: string;
}

export interface ExpectedContent {
  bytes?: number;
  sha256?: string;
}

export class MultipartUpload {
  private partBuffer: Buffer | undefined;
  private buffered = 0;
  /** The short last part, once uploaded by `complete()`; never part of a checkpoint. */
  private lastPart: UploadedPart | undefined;
  private state: 'open' | 'completed' | 'aborted' = 'open';

  private constructor(
    private readonly client: S3Client,
    private readonly saved: MultipartCheckpoint,
    private readonly hasher: IHasher,
  ) {}

  /** Creates a new multipart upload of `key` (invisible until `complete()`). */
  static async start(client: S3Client, options: StartUploadOptions): Promise<MultipartUpload> {
    const partSize = options.partSize ?? DEFAULT_PART_SIZE;
    if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
      throw new RangeError(`part size ${partSize} is outside ${MIN_PART_SIZE}..${MAX_PART_SIZE}`);
    }
    const { bucket, key } = options;
    const created = await send('CreateMultipartUpload', undefined, () =>
      client.send(
        new CreateMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          Metadata: options.metadata,
          ContentType: options.contentType,
          ChecksumAlgorithm: 'SHA256',
        }),
      ),
    );
    if (!created.UploadId) throw new S3RequestError('CreateMultipartUpload', new Error('no UploadId in the response'));
    const hasher = await createSHA256();
    hasher.init();
    const checkpoint: MultipartCheckpoint = {
      version: CHECKPOINT_VERSION,
      bucket,
      key,
      uploadId: created.UploadId,
      partSize,
      parts: [],
      offset: 0,
      hashState: Buffer.from(hasher.save()).toString('base64'),
    };
    return new MultipartUpload(client, checkpoint, hasher);
  }

  /**
   * Continues the upload of `checkpoint` (e.g. from a heartbeat, after a JSON round trip). The
   * caller then writes the bytes from `checkpoint.offset` on. Throws `S3UploadGoneError` if the
   * upload expired or was aborted, `S3CheckpointInvalidError` if its parts disagree with the server.
   */
  static async resume(client: S3Client, checkpoint: unknown): Promise<MultipartUpload> {
    const saved = parseCheckpoint(checkpoint);
    const hasher = await createSHA256();
    try {
      hasher.load(Buffer.from(saved.hashState, 'base64'));
    } catch (err) {
      throw new S3CheckpointInvalidError(`the checkpoint's hash state cannot be loaded: ${(err as Error).message}`);
    }
    const listed = await listUploadedParts(client, saved);
    for (const part of saved.parts) {
      const found = listed.get(part.partNumber);
      if (!found || !sameEtag(found.etag, part.etag) || found.size !== saved.partSize) {
        throw new S3CheckpointInvalidError(
          `part ${part.partNumber} of s3://${saved.bucket}/${saved.key} is missing or differs from the checkpoint`,
        );
      }
    }
    return new MultipartUpload(client, saved, hasher);
  }

  get bucket(): string {
    return this.saved.bucket;
  }
  get key(): string {
    return this.saved.key;
  }
  get uploadId(): string {
    return this.saved.uploadId;
  }
  get partSize(): number {
    return this.saved.partSize;
  }
  /** All bytes written, uploaded or buffered. */
  get bytesWritten(): number {
    return this.saved.offset + this.buffered;
  }

  /** The state at the last part boundary (a copy, safe to serialize and keep). */
  checkpoint(): MultipartCheckpoint {
    return { ...this.saved, parts: this.saved.parts.map((part) => ({ ...part })) };
  }

  /** Appends `chunk`; uploads each part as it fills. Do not call concurrently. */
  async write(chunk: Uint8Array): Promise<void> {
    this.assertOpen();
    let read = 0;
    while (read < chunk.length) {
      this.partBuffer ??= Buffer.allocUnsafe(this.saved.partSize);
      const take = Math.min(chunk.length - read, this.saved.partSize - this.buffered);
      this.partBuffer.set(chunk.subarray(read, read + take), this.buffered);
      this.buffered += take;
      read += take;
      if (this.buffered === this.saved.partSize) await this.uploadFullPart();
    }
  }

  /** Hex SHA-256 of everything written so far. */
  sha256(): string {
    const state = this.hasher.save();
    if (this.buffered > 0) this.hasher.update(this.partBuffer!.subarray(0, this.buffered));
    const digest = this.hasher.digest('hex');
    this.hasher.load(state);
    return digest;
  }

  /**
   * Uploads the last part, checks `expected`, completes the upload, then records the sha256 in
   * the object's metadata. On a length or sha256 mismatch it throws `S3VerificationError` and
   * leaves the upload open (the caller aborts it), so a wrong object never becomes visible.
   */
  async complete(expected: ExpectedContent = {}): Promise<CompletedUpload> {
    this.assertOpen();
    const bytes = this.bytesWritten;
    const sha256 = this.sha256();
    if (expected.bytes !== undefined && expected.bytes !== bytes) {
      throw new S3VerificationError(`${bytes} bytes were written, ${expected.bytes} expected`);
    }
    if (expected.sha256 !== undefined && expected.sha256.toLowerCase() !== sha256) {
      throw new S3VerificationError(`the bytes written have sha256 ${sha256}, ${expected.sha256} expected`);
    }
    if (!this.lastPart && (this.buffered > 0 || this.saved.parts.length === 0)) {
      this.lastPart = await this.uploadPart(this.saved.parts.length + 1, this.partBuffer?.subarray(0, this.buffered));
    }
    const parts = this.lastPart ? [...this.saved.parts, this.lastPart] : this.saved.parts;
    const { bucket, key, uploadId } = this.saved;
    try {
      await send('CompleteMultipartUpload', this.saved, () =>
        this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: {
              Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag, ChecksumSHA256: p.checksumSha256 })),
            },
          }),
        ),
      );
    } catch (err) {
      // The SDK retries a completion whose response was lost; the retry then finds no upload.
      if (!(err instanceof S3UploadGoneError) || !(await this.isCompletedObject(sha256, parts))) throw err;
    }
    await this.recordSha256(sha256);
    this.state = 'completed';
    this.partBuffer = undefined;
    return { bucket, key, uri: formatS3Uri(bucket, key), bytes, sha256 };
  }

  /** Aborts the upload and frees its parts; an upload already gone is not an error. */
  async abort(): Promise<void> {
    this.state = 'aborted';
    this.partBuffer = undefined;
    await abortMultipartUpload(this.client, this.saved);
  }

  private async uploadFullPart(): Promise<void> {
    if (this.saved.parts.length + 1 >= MAX_PARTS) throw new S3TooManyPartsError(this.saved.partSize, MAX_PARTS);
    const part = await this.uploadPart(this.saved.parts.length + 1, this.partBuffer!);
    this.hasher.update(this.partBuffer!);
    this.saved.parts.push(part);
    this.saved.offset += this.saved.partSize;
    this.saved.hashState = Buffer.from(this.hasher.save()).toString('base64');
    this.buffered = 0;
  }

  /** Uploads `body` as part `partNumber` (re-uploading a number replaces that part). */
  private async uploadPart(partNumber: number, body: Buffer = Buffer.alloc(0)): Promise<UploadedPart> {
    const checksumSha256 = createHash('sha256').update(body).digest('base64');
    const { bucket, key, uploadId } = this.saved;
    const response = await send('UploadPart', this.saved, () =>
      this.client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.length,
          ChecksumSHA256: checksumSha256,
        }),
      ),
    );
    if (!response.ETag) throw new S3RequestError('UploadPart', new Error('no ETag in the response'));
    return { partNumber, etag: response.ETag, checksumSha256 };
  }

  /**
   * S3 metadata is fixed when the upload is created: an in-place copy adds the sha256, known only
   * now, to the metadata given to `start()` (read back, so a resumed upload keeps it too).
   */
  private async recordSha256(sha256: string): Promise<void> {
    const { bucket, key } = this.saved;
    const stored = await findStoredObject(this.client, bucket, key);
    if (stored?.sha256 === sha256) return;
    await send('CopyObject', undefined, () =>
      this.client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: key,
          CopySource: `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
          MetadataDirective: 'REPLACE',
          Metadata: { ...stored?.metadata, [SHA256_METADATA_KEY]: sha256 },
          ContentType: stored?.contentType,
        }),
      ),
    );
  }

  /** Whether the object at the key is this upload, completed (and maybe already given its sha256). */
  private async isCompletedObject(sha256: string, parts: UploadedPart[]): Promise<boolean> {
    const stored = await findStoredObject(this.client, this.saved.bucket, this.saved.key);
    if (!stored) return false;
    return stored.sha256 === sha256 || stored.checksumSha256 === compositeSha256(parts);
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new Error(`the multipart upload of ${this.saved.key} is ${this.state}`);
  }
}
