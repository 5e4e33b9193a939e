/**
 * The S3 sink: one multipart upload per download (see multipart-upload.ts). There is no local copy
 * to read back, so every byte also goes through a streaming MP4 check whose state is saved at the
 * same part boundary as the upload's checkpoint; a later attempt resumes both from the heartbeat.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { StoredVideo } from '../../contract/types';
import { Mp4StreamCheck, newMp4Walk, type Mp4WalkState } from '../mp4-stream';
import type { ExpectedVideo, OpenSinkOptions, SinkCheckpoint, VideoSink } from '../sink';
import { InvalidVideoError } from '../types';
import type { MultipartCheckpoint } from './checkpoint';
import { MultipartUpload } from './multipart-upload';
import { S3CheckpointInvalidError, S3UploadGoneError } from './s3-errors';

/** The heartbeat of an S3 sink: the upload at its last part boundary and the MP4 walk there. */
export interface S3SinkCheckpoint extends SinkCheckpoint {
  upload: MultipartCheckpoint;
  mp4: Mp4WalkState;
}

export interface S3SinkTarget {
  bucket: string;
  key: string;
  metadata: Record<string, string>;
  partSize?: number;
}

export class S3Sink implements VideoSink {
  /** The upload id is what a retry resumes: heartbeat it at the first byte. */
  readonly checkpointAtOnce = true;

  private constructor(
    private readonly client: S3Client,
    private readonly target: S3SinkTarget,
    private upload: MultipartUpload,
    private mp4: Mp4StreamCheck,
    /** The MP4 walk's state at the upload's last part boundary. */
    private boundaryMp4: Mp4WalkState,
  ) {}

  /** Resumes the upload of `options.prior` if it is this key's and still there, else starts a new one. */
  static async open(client: S3Client, target: S3SinkTarget, options: OpenSinkOptions): Promise<S3Sink> {
    const prior = options.prior as Partial<S3SinkCheckpoint> | undefined;
    if (prior?.upload && prior.mp4 && prior.upload.bucket === target.bucket && prior.upload.key === target.key) {
      try {
        const upload = await MultipartUpload.resume(client, prior.upload);
        const mp4 = new Mp4StreamCheck(prior.mp4);
        if (mp4.state().offset === upload.bytesWritten) return new S3Sink(client, target, upload, mp4, mp4.state());
      } catch (err) {
        if (!(err instanceof S3UploadGoneError || err instanceof S3CheckpointInvalidError)) throw err;
      }
    }
    return S3Sink.fresh(client, target);
  }

  private static async fresh(client: S3Client, target: S3SinkTarget): Promise<S3Sink> {
    const upload = await MultipartUpload.start(client, {
      bucket: target.bucket,
      key: target.key,
      metadata: target.metadata,
      contentType: 'video/mp4',
      partSize: target.partSize,
    });
    return new S3Sink(client, target, upload, new Mp4StreamCheck(), newMp4Walk());
  }

  /** The upload id. */
  get name(): string {
    return this.upload.uploadId;
  }

  get offset(): number {
    return this.upload.bytesWritten;
  }

  /** Writes up to each part boundary at a time, so the MP4 state is known at every boundary. */
  async write(chunk: Uint8Array): Promise<void> {
    const partSize = this.upload.partSize;
    let at = 0;
    while (at < chunk.length) {
      const toBoundary = partSize - (this.upload.bytesWritten % partSize);
      const piece = chunk.subarray(at, at + Math.min(toBoundary, chunk.length - at));
      await this.upload.write(piece);
      this.mp4.feed(piece);
      at += piece.length;
      if (this.upload.bytesWritten % partSize === 0) this.boundaryMp4 = this.mp4.state();
    }
  }

  /** The upload at its last uploaded part (the buffered tail is not durable yet). */
  async durableCheckpoint(): Promise<S3SinkCheckpoint> {
    const upload = this.upload.checkpoint();
    return { offset: upload.offset, upload, mp4: { ...this.boundaryMp4 } };
  }

  async reset(): Promise<void> {
    await this.upload.abort();
    const next = await S3Sink.fresh(this.client, this.target);
    this.upload = next.upload;
    this.mp4 = next.mp4;
    this.boundaryMp4 = next.boundaryMp4;
  }

  sha256(): string {
    return this.upload.sha256();
  }

  async verifyAndCommit(expected: ExpectedVideo): Promise<StoredVideo> {
    const held = { bytes: this.offset, sha256: this.sha256() };
    if (expected.bytes !== held.bytes || expected.sha256 !== held.sha256) {
      const what = `the upload holds ${held.bytes} bytes (sha256 ${held.sha256}), not the ${expected.bytes} expected`;
      throw new InvalidVideoError(what, true);
    }
    const mp4 = this.mp4.finish();
    if (!mp4.ok) throw new InvalidVideoError(`the downloaded file is not a complete MP4: ${mp4.reason}`, false);
    const done = await this.upload.complete(expected);
    return { uri: done.uri, bytes: done.bytes, sha256: done.sha256 };
  }

  discard(): Promise<void> {
    return this.upload.abort();
  }

  /** Keeps the upload: the next attempt resumes it from the heartbeat. */
  async close(): Promise<void> {}
}
