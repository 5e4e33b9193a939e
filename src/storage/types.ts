/** The storage port: where downloads are written and verified videos put in place, and its errors. */
import { FailureType } from '../contract/failures';
import type { StoredVideo } from '../contract/types';
import type { DiscardPartialsOptions, OpenSinkOptions, VideoSink } from './sink';

export type { StoredVideo };

/**
 * What downloads left behind and did not touch for this long is removed when a storage opens (the
 * worker's start). A download must end within the one-day retention of its task, so nothing can
 * resume from it: it was left by attempts that never ran again (a workflow cancelled during a
 * retry's backoff, a worker killed for good).
 */
export const STALE_PARTIAL_MS = 2 * 24 * 60 * 60 * 1000;

/**
 * Where finished videos go. Each download attempt writes into a sink of its own, which puts the
 * verified video in place in one step; leftovers of a download are discarded through the storage.
 */
export interface VideoStorage {
  /** Says where videos go, for logs (never a secret). */
  describe(): string;
  /** The stored video under `fileName`, verified as a complete MP4, or undefined if there is none. */
  find(fileName: string): Promise<StoredVideo | undefined>;
  /** Opens the destination of one download attempt, resumed from `prior` where possible. */
  openSink(options: OpenSinkOptions): Promise<VideoSink>;
  /** Removes what attempts of the download left behind, but `except`; returns how many were removed. */
  discardPartials(options: DiscardPartialsOptions): Promise<number>;
  /**
   * Stores a small file that goes with a video (its last-frame PNG) under `fileName`, whole and in
   * one step: it appears complete or not at all. Idempotent: when the storage already holds these
   * bytes under the name, nothing is written and `reused` is true. When it holds a file of other
   * content there, throws `StoredFileConflictError`, as a download does for a video of other
   * content; what a storage does not count as stored (an S3 object without the `sha256` metadata
   * this package writes) is replaced, as a video upload would replace it. Optional for storages
   * of your own: without it, a last frame that was asked for is skipped with a warning.
   */
  storeCompanion?(file: CompanionFile): Promise<StoredCompanion>;
}

/** A small file stored beside a video, held in memory whole (a last frame is a few MB at most). */
export interface CompanionFile {
  /** A file name that passed `checkFileName`, e.g. from `lastFrameFileName`. */
  fileName: string;
  bytes: Uint8Array;
  /** `image/png`: kept as the object's Content-Type where the storage keeps one (S3). */
  contentType: string;
  /** The task it comes from, kept as metadata where the storage keeps metadata (S3), like the video's. */
  taskId: string;
  model?: string;
}

export interface StoredCompanion {
  file: StoredVideo;
  /** The same bytes were already stored under the name (an earlier attempt): nothing was written. */
  reused: boolean;
}

export class UnsafeFileNameError extends Error {
  readonly code = FailureType.InvalidFileName;
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeFileNameError';
  }
}

/** The downloaded bytes must not be stored: not a complete MP4, or not the bytes expected. */
export class InvalidVideoError extends Error {
  readonly code = FailureType.InvalidVideo;
  constructor(
    message: string,
    /** Whether downloading again may give a good video (a short body) or not (not an MP4). */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'InvalidVideoError';
  }
}

/**
 * A storage backend's own error (e.g. S3's): which failure it is, whether trying again can help,
 * and a message fit for history (never a raw library message).
 */
export abstract class StorageBackendError extends Error {
  /** StorageError unless the backend knows better (VideoTooLarge for an S3 upload of too many parts). */
  readonly failureType: FailureType = FailureType.StorageError;
  abstract readonly retryable: boolean;
  publicMessage(): string {
    return this.message;
  }
}

/**
 * The storage already holds a file of other content under the name: never overwritten. The user
 * chooses another name or removes the file; retrying cannot help.
 */
export class StoredFileConflictError extends StorageBackendError {
  readonly retryable = false;
  constructor(fileName: string) {
    super(`${fileName} already exists with different content; choose another fileName or remove it`);
    this.name = 'StoredFileConflictError';
  }
}
