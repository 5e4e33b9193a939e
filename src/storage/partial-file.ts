/**
 * The local sink's partial download of one attempt: its own temp file, opened exclusively, so a
 * zombie attempt of the same activity (a frozen worker that keeps running) can never write into it.
 *
 * A retry resumes from the previous attempt's checkpoint by copying that file's verified prefix
 * (the bytes up to the heartbeated offset, which were fsynced before the heartbeat) into its own
 * file and re-hashing it.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { constants, copyFile, open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { DownloadCheckpoint, SinkCheckpoint } from './sink';

/** The local sink's checkpoint. */
export interface PartialCheckpoint extends SinkCheckpoint {
  /** The partial file's base name inside the staging directory. */
  partial: string;
  /** Bytes fsynced to that file. */
  offset: number;
}

/** The heartbeat of a download into a local directory: `{ partial, offset, etag, totalBytes }`. */
export type Checkpoint = DownloadCheckpoint<PartialCheckpoint>;

export class PartialFile {
  private hash: Hash = createHash('sha256');

  private constructor(
    readonly path: string,
    private handle: FileHandle,
    public offset: number,
  ) {}

  get name(): string {
    return path.basename(this.path);
  }

  /** The prefix of all partial files of one download: `<fileName>.<taskId>.` */
  static prefix(fileName: string, taskId: string): string {
    return `${fileName}.${taskId}.`;
  }

  /**
   * Whether `name` is a partial file of the download (fileName, taskId): exactly
   * `<fileName>.<taskId>.<12 hex digits>.part`, so another download whose name merely starts the
   * same (`a.mp4` / `x` against `a.mp4.x` / `y`) never matches.
   */
  static isPartialOf(name: string, fileName: string, taskId: string): boolean {
    const prefix = PartialFile.prefix(fileName, taskId);
    return name.startsWith(prefix) && /^[0-9a-f]{12}\.part$/.test(name.slice(prefix.length));
  }

  /** Removes every partial file of the download (fileName, taskId) in `dir`, but `except`. */
  static async removeAll(dir: string, fileName: string, taskId: string, except?: string): Promise<number> {
    const names = await readdir(dir).catch(() => [] as string[]);
    const doomed = names.filter((name) => name !== except && PartialFile.isPartialOf(name, fileName, taskId));
    await Promise.all(doomed.map((name) => rm(path.join(dir, name), { force: true })));
    return doomed.length;
  }

  /**
   * Opens this attempt's file. With a checkpoint whose file still holds at least `offset` bytes,
   * starts from a copy of that prefix; otherwise from zero.
   */
  static async start(dir: string, fileName: string, taskId: string, prior?: SinkCheckpoint): Promise<PartialFile> {
    const file = path.join(dir, `${PartialFile.prefix(fileName, taskId)}${randomBytes(6).toString('hex')}.part`);
    const priorPath = prior ? priorPartialPath(dir, fileName, taskId, prior) : undefined;
    const priorSize = priorPath
      ? await stat(priorPath).then(
          (s) => s.size,
          () => -1,
        )
      : -1;
    if (!(priorPath && prior && prior.offset > 0 && priorSize >= prior.offset)) {
      return new PartialFile(file, await open(file, 'wx'), 0);
    }
    let handle: FileHandle | undefined;
    try {
      await copyFile(priorPath, file, constants.COPYFILE_EXCL);
      handle = await open(file, 'r+');
      await handle.truncate(prior.offset);
      const partial = new PartialFile(file, handle, prior.offset);
      await partial.hashPrefix();
      return partial;
    } catch (error) {
      // E.g. ENOSPC halfway through the copy: leave no half-copied file; the prior one stays.
      await handle?.close().catch(() => undefined);
      await rm(file, { force: true });
      throw error;
    }
  }

  /** Appends `chunk` at `offset`. If it throws (ENOSPC), `offset` and the hash still cover exactly the bytes written. */
  async write(chunk: Uint8Array): Promise<void> {
    let written = 0;
    while (written < chunk.length) {
      const { bytesWritten } = await this.handle.write(chunk, written, chunk.length - written, this.offset);
      this.hash.update(chunk.subarray(written, written + bytesWritten));
      written += bytesWritten;
      this.offset += bytesWritten;
    }
  }

  /** Flushes written bytes to disk: only then may a heartbeat point at `offset`. */
  async sync(): Promise<void> {
    await this.handle.datasync();
  }

  /** Back to zero: the server ignored the range or the file changed. */
  async reset(): Promise<void> {
    await this.handle.truncate(0);
    this.offset = 0;
    this.hash = createHash('sha256');
  }

  /** The sha256 of everything written so far. */
  sha256(): string {
    return this.hash.copy().digest('hex');
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  async remove(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
  }

  private async hashPrefix(): Promise<void> {
    if (this.offset === 0) return;
    for await (const chunk of createReadStream(this.path, { start: 0, end: this.offset - 1 })) {
      this.hash.update(chunk as Buffer);
    }
  }
}

/** The checkpoint's file, only if it names a partial of this download inside `dir`. */
function priorPartialPath(dir: string, fileName: string, taskId: string, prior: SinkCheckpoint): string | undefined {
  const { partial } = prior as Partial<PartialCheckpoint>;
  const name = typeof partial === 'string' ? path.basename(partial) : '';
  return PartialFile.isPartialOf(name, fileName, taskId) ? path.join(dir, name) : undefined;
}
