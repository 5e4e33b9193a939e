/**
 * The sink port: where one attempt of a download writes the video, whatever the storage. The
 * download activity streams the body into a `VideoSink`, heartbeats what `durableCheckpoint()`
 * returns, and a retry (on this machine or any other) opens a new sink from that checkpoint and
 * asks the host for the bytes from the new sink's `offset` on.
 *
 * The local directory writes one partial file per attempt (local-sink.ts); an S3 sink writes a
 * multipart upload whose checkpoint names the upload and its parts.
 */
import type { StoredVideo } from '../contract/types';

/**
 * What a sink needs to resume in a later attempt: a small JSON object, opaque to the activity but
 * for `offset`. The heartbeat carries its fields at the top level next to the activity's own
 * `etag` and `totalBytes`, so a sink never uses those two keys.
 */
export interface SinkCheckpoint {
  /** Bytes durably stored, the point a sink opened from this checkpoint continues from. */
  readonly offset: number;
}

/** The download's heartbeat: the sink's checkpoint, and what the file host said about the file. */
export type DownloadCheckpoint<S extends SinkCheckpoint = SinkCheckpoint> = S & {
  /** The strong ETag the bytes belong to, for `If-Range`. */
  etag: string | null;
  totalBytes: number | null;
};

/** One download, as its sinks and leftovers are named: the output name and the task it comes from. */
export interface DownloadKey {
  /** A file name that passed `checkFileName`. */
  fileName: string;
  taskId: string;
}

export interface OpenSinkOptions extends DownloadKey {
  /** The task's model, kept with the video by storages that keep metadata. */
  model?: string;
  /**
   * The previous attempt's last heartbeat. A sink that can resume from it starts at its `offset`
   * (or below); one that cannot (its bytes are gone, or it is not this download's) starts at 0.
   */
  prior?: SinkCheckpoint;
}

export interface DiscardPartialsOptions extends DownloadKey {
  /** The `name` of a sink to leave alone: the running attempt's own. */
  except?: string;
}

/** The checks the sink makes before the video appears under its final name. */
export interface ExpectedVideo {
  bytes: number;
  /** Hex SHA-256 of the whole video. */
  sha256: string;
}

/**
 * The destination of one download attempt. Calls are sequential (never two at once), but for
 * `write`, which may go on while a `durableCheckpoint` runs: that checkpoint covers the bytes taken
 * when it was called, and no other call starts before it ends. After `verifyAndCommit`, `discard`
 * or `close`, the sink is done.
 */
export interface VideoSink {
  /** Stable for the sink's life, unique per attempt: for logs and `discardPartials({ except })`. */
  readonly name: string;
  /** Bytes accepted so far, durable or not: where the body continues within this attempt. */
  readonly offset: number;
  /**
   * Checkpoint at the first byte, not one interval in: the sink holds something a retry must find
   * even before any byte is durable (an S3 multipart upload: without its id a retry opens another).
   * Absent: a download shorter than one checkpoint interval sends no heartbeat (each is billable).
   */
  readonly checkpointAtOnce?: boolean;
  /** Appends `chunk` at `offset`. If it throws (ENOSPC), `offset` still counts exactly the bytes taken. */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * Makes what it can durable and says what a later attempt may resume from. Its `offset` may be
   * below `offset` (an S3 sink stops at its last uploaded part): heartbeat this, never `offset`.
   */
  durableCheckpoint(): Promise<SinkCheckpoint>;
  /** Back to byte 0: the host ignored the range or the file changed. */
  reset(): Promise<void>;
  /** Hex SHA-256 of the bytes accepted so far. */
  sha256(): string;
  /**
   * Checks `expected` and the MP4 structure, then puts the video in place under its final name.
   * Throws `InvalidVideoError` for bytes that must not be stored.
   */
  verifyAndCommit(expected: ExpectedVideo): Promise<StoredVideo>;
  /** Deletes what this attempt wrote: no attempt will resume from it. */
  discard(): Promise<void>;
  /** Releases the sink and keeps its durable bytes for the next attempt. */
  close(): Promise<void>;
}
