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
