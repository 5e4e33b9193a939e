/**
 * The local directory's sink: one partial file per attempt in the staging directory (see
 * partial-file.ts), fsynced before each checkpoint, checked as an MP4 and renamed into place.
 */
import type { StoredVideo } from '../contract/types';
import { checkMp4File } from './mp4';
import { PartialFile, type PartialCheckpoint } from './partial-file';
import type { ExpectedVideo, OpenSinkOptions, VideoSink } from './sink';
import { InvalidVideoError } from './types';

/** Puts the verified local file in place under the download's final name. */
export type CommitFile = (localPath: string, meta: ExpectedVideo) => Promise<StoredVideo>;

export class LocalSink implements VideoSink {
  private constructor(
    private readonly file: PartialFile,
    private readonly commitFile: CommitFile,
  ) {}

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

  write(chunk: Uint8Array): Promise<void> {
    return this.file.write(chunk);
  }

  /** Writes and fsyncs every byte taken so far, then names the file and that offset. */
  async durableCheckpoint(): Promise<PartialCheckpoint> {
    const offset = await this.file.sync();
    return { partial: this.file.name, offset };
  }

  reset(): Promise<void> {
    return this.file.reset();
  }

  sha256(): string {
    return this.file.sha256();
  }

  async verifyAndCommit(expected: ExpectedVideo): Promise<StoredVideo> {
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

  discard(): Promise<void> {
    return this.file.remove();
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
