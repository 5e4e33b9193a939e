/**
 * The local directory's sink: one partial file per attempt in the staging directory (see
 * partial-file.ts), fsynced before each checkpoint, checked as an MP4 and renamed into place.
 *
 * Flush-ahead: every {@link FLUSH_AHEAD_BYTES} taken, the sink starts an fsync of its own in the
 * background (no heartbeat: it only makes the disk write while the body still streams). The kernel
 * starts writing a file's dirty pages back only after 30 s or gigabytes of them, so without it the
 * disk idled during the stream and the fsync after the body (0.3-0.65 s for 512 MiB on this
 * project's machine) was the download's tail. A flush-ahead that fails fails the download: its
 * error is thrown by every later write, checkpoint, reset and commit (never retried: the kernel may
 * have dropped the pages it could not write). A checkpoint waits for the flush-ahead under way,
 * then fsyncs what was taken until it was called; the stream does not wait for either.
 */
import type { StoredVideo } from '../contract/types';
import { checkMp4File } from './mp4';
import { PartialFile, type PartialCheckpoint } from './partial-file';
import type { ExpectedVideo, OpenSinkOptions, VideoSink } from './sink';
import { InvalidVideoError } from './types';

/** Puts the verified local file in place under the download's final name. */
export type CommitFile = (localPath: string, meta: ExpectedVideo) => Promise<StoredVideo>;

/** Bytes taken since the last fsync above which `write` starts a flush-ahead. */
export const FLUSH_AHEAD_BYTES = 32 * 1024 * 1024;

export class LocalSink implements VideoSink {
  /** Bytes an fsync covers, done or under way (a flush-ahead's or a checkpoint's): where the next flush-ahead counts from. */
  private coveredTo: number;
  /** The flush-ahead under way. */
  private flushing: Promise<void> | undefined;
  /** A flush-ahead that failed: thrown by every later call that needs the file's bytes. */
  private flushFailure: { error: unknown } | undefined;

  private constructor(
    private readonly file: PartialFile,
    private readonly commitFile: CommitFile,
  ) {
    this.coveredTo = file.offset; // a resumed prefix was fsynced before its heartbeat
  }

  /** This attempt's partial file in `stagingDir`, starting from a copy of the prior's prefix if it is still there. */
  static async open(stagingDir: string, options: OpenSinkOptions, commitFile: CommitFile): Promise<LocalSink> {
    const file = await PartialFile.start(stagingDir, options.fileName, options.taskId, options.prior);
    return new LocalSink(file, commitFile);
  }

  /** The partial file's base name. */
  get name(): string {
    return this.file.name;
  }

  get offset(): number {
    return this.file.offset;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.throwFlushFailure();
    await this.file.write(chunk);
    if (!this.flushing && this.file.offset - this.coveredTo >= FLUSH_AHEAD_BYTES) this.flushing = this.flushAhead();
  }

  /** Writes and fsyncs every byte taken so far, then names the file and that offset. */
  async durableCheckpoint(): Promise<PartialCheckpoint> {
    await this.settled();
    this.coveredTo = this.file.offset;
    const offset = await this.file.sync();
    return { partial: this.file.name, offset };
  }

  async reset(): Promise<void> {
    await this.settled();
    await this.file.reset();
    this.coveredTo = 0;
  }

  sha256(): string {
    return this.file.sha256();
  }

  async verifyAndCommit(expected: ExpectedVideo): Promise<StoredVideo> {
    await this.settled();
    const held = { bytes: this.file.offset, sha256: this.sha256() };
    if (expected.bytes !== held.bytes || expected.sha256 !== held.sha256) {
      const what = `the partial file holds ${held.bytes} bytes (sha256 ${held.sha256}), not the ${expected.bytes} expected`;
      throw new InvalidVideoError(what, true);
    }
    await this.file.sync();
    await this.file.close();
    const mp4 = await checkMp4File(this.file.path);
    if (!mp4.ok) throw new InvalidVideoError(`the downloaded file is not a complete MP4: ${mp4.reason}`, false);
    return this.commitFile(this.file.path, expected);
  }

  async discard(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.file.remove();
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.file.close();
  }

  /** Fsyncs what was taken so far, in the background; never rejects (a failure is kept). */
  private async flushAhead(): Promise<void> {
    this.coveredTo = this.file.offset;
    try {
      await this.file.sync();
    } catch (error) {
      this.flushFailure ??= { error };
    } finally {
      this.flushing = undefined;
    }
  }

  /** Once no flush-ahead is under way; throws one that failed. */
  private async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.throwFlushFailure();
  }

  private throwFlushFailure(): void {
    if (this.flushFailure) throw this.flushFailure.error;
  }
}
