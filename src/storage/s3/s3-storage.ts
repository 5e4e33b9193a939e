/**
 * Videos in an S3-compatible bucket under a prefix (`SEEDANCE_OUTPUT=s3://bucket/prefix`). Each
 * download writes a multipart upload (the S3 sink), which becomes visible only when completed
 * with its length and sha256 verified; leftovers are aborted uploads of the same key.
 */
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DiscardPartialsOptions, OpenSinkOptions, VideoSink } from '../sink';
import {
  STALE_PARTIAL_MS,
  StoredFileConflictError,
  type CompanionFile,
  type StoredCompanion,
  type StoredVideo,
  type VideoStorage,
} from '../types';
import { S3Sink } from './s3-sink';
import {
  abortMultipartUpload,
  findStoredObject,
  listOpenUploads,
  putObject,
  SHA256_METADATA_KEY,
} from './s3-operations';
import { sweepAbandonedUploads } from './sweep-uploads';
import { describeS3Location, formatS3Uri, parseS3Location, s3KeyFor, type S3Location } from './s3-location';

export interface S3StorageOptions {
  /** Bytes per part (5 MiB or more); the multipart default otherwise. */
  partSize?: number;
  /** {@link S3Storage.open} aborts uploads initiated longer ago than this. @default STALE_PARTIAL_MS */
  abandonedAfterMs?: number;
}

/** The user metadata (`x-amz-meta-*`) of each video and its last frame: these two, and `sha256` once it is verified. */
export const TASK_ID_METADATA_KEY = 'task-id';
export const MODEL_METADATA_KEY = 'model';

export class S3Storage implements VideoStorage {
  readonly location: S3Location;

  constructor(
    readonly client: S3Client,
    output: string | S3Location,
    private readonly options: S3StorageOptions = {},
  ) {
    this.location = typeof output === 'string' ? parseS3Location(output) : output;
  }

  /**
   * The storage, after aborting the uploads under its prefix that downloads abandoned more than
   * `abandonedAfterMs` (two days) ago (best effort: a key without `s3:ListBucketMultipartUploads` skips it;
   * a bucket lifecycle rule `AbortIncompleteMultipartUpload` does the same on AWS).
   */
  static async open(client: S3Client, output: string | S3Location, options: S3StorageOptions = {}): Promise<S3Storage> {
    const storage = new S3Storage(client, output, options);
    const { bucket, prefix } = storage.location;
    await sweepAbandonedUploads(client, bucket, prefix, options.abandonedAfterMs ?? STALE_PARTIAL_MS).catch(
      () => undefined,
    );
    return storage;
  }

  describe(): string {
    return describeS3Location(this.location);
  }

  async find(fileName: string): Promise<StoredVideo | undefined> {
    const key = s3KeyFor(this.location, fileName);
    const found = await findStoredObject(this.client, this.location.bucket, key);
    if (!found?.sha256) return undefined;
    return { uri: formatS3Uri(this.location.bucket, key), bytes: found.bytes, sha256: found.sha256 };
  }

  async openSink(options: OpenSinkOptions): Promise<VideoSink> {
    const key = s3KeyFor(this.location, options.fileName);
    const metadata = taskMetadata(options.taskId, options.model);
    const target = { bucket: this.location.bucket, key, metadata, partSize: this.options.partSize };
    return S3Sink.open(this.client, target, options);
  }

  /**
   * One PutObject with its Content-Type, a SHA-256 checksum, and the video's metadata plus the
   * `sha256`. An object with the `sha256` metadata already at the key counts as stored, as for
   * `find`: same bytes are reused, other bytes refused; one without it is replaced.
   */
  async storeCompanion({ fileName, bytes, contentType, taskId, model }: CompanionFile): Promise<StoredCompanion> {
    const { bucket } = this.location;
    const key = s3KeyFor(this.location, fileName);
    const file = {
      uri: formatS3Uri(bucket, key),
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    const existing = await findStoredObject(this.client, bucket, key);
    if (existing?.sha256) {
      if (existing.sha256 !== file.sha256 || existing.bytes !== file.bytes) throw new StoredFileConflictError(fileName);
      return { file, reused: true };
    }
    const metadata = { ...taskMetadata(taskId, model), [SHA256_METADATA_KEY]: file.sha256 };
    await putObject(this.client, { bucket, key, body: bytes, contentType, metadata });
    return { file, reused: false };
  }

  /** Aborts the multipart uploads of the file's key but `except`. */
  async discardPartials({ fileName, except }: DiscardPartialsOptions): Promise<number> {
    const bucket = this.location.bucket;
    const key = s3KeyFor(this.location, fileName);
    const uploadIds = new Set<string>();
    for await (const upload of listOpenUploads(this.client, bucket, key)) {
      if (upload.Key === key && upload.UploadId && upload.UploadId !== except) uploadIds.add(upload.UploadId);
    }
    for (const uploadId of uploadIds) await abortMultipartUpload(this.client, { bucket, key, uploadId });
    return uploadIds.size;
  }
}

/** The user metadata of everything stored for a task: its id, and its model where header-safe. */
function taskMetadata(taskId: string, model: string | undefined): Record<string, string> {
  const metadata: Record<string, string> = { [TASK_ID_METADATA_KEY]: taskId };
  if (model && isHeaderSafe(model)) metadata[MODEL_METADATA_KEY] = model;
  return metadata;
}

/**
 * Metadata travels as HTTP headers, signed: a model name the API might one day return with other
 * characters is left out rather than failing the download.
 */
function isHeaderSafe(value: string): boolean {
  return /^[\x21-\x7e]{1,256}$/.test(value);
}
