/**
 * The local sink's partial download of one attempt: its own temp file, opened exclusively, so a
 * zombie attempt of the same activity (a frozen worker that keeps running) can never write into it.
 *
 * A retry resumes from the previous attempt's checkpoint by copying that file's verified prefix
 * (the bytes up to the heartbeated offset, which were fsynced before the heartbeat) into its own
 * file and re-hashing it.
 *
 * Writes are written behind: `write` takes the chunk and returns at once while less than
 * {@link MAX_PENDING_BYTES} wait, and the chunks that gathered meanwhile go to the file in one
 * `writev`, hashed while the kernel copies them. One write at a time per 64 KiB chunk through the
 * thread pool held the download to a third of curl's speed. `sync` writes everything taken before
 * it was called, then fsyncs: what it returns is durable, whatever was taken meanwhile.
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

/** Bytes taken but not yet handed to the file above which `write` waits: the write-behind's memory. */
export const MAX_PENDING_BYTES = 4 * 1024 * 1024;
/** At most this many chunks in one `writev` (Linux's IOV_MAX). */
const MAX_BATCH_CHUNKS = 1024;

export class PartialFile {
  /** The sha256 of the bytes in the file (`written`). */
  private hash: Hash = createHash('sha256');
  /** Chunks taken and not yet handed to the file, oldest first. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** The chunks of the `writev` under way. */
  private inFlight: Uint8Array[] = [];
  private inFlightBytes = 0;
  /** Ends when no chunk is left to write (or a write failed). */
  private flushing: Promise<void> | undefined;
  /** Ends when the `writev` under way does. */
  private batchDone: Promise<void> | undefined;
  /**
   * A failed write: thrown by every later `write` until `reset`, and by the next `sync` if no
   * `write` reported it yet, so that no failure goes unseen.
   */
  private failure: { error: unknown; reported: boolean } | undefined;

  private constructor(
    readonly path: string,
    private handle: FileHandle,
    /** Bytes in the file. */
    private written: number,
  ) {}

  get name(): string {
    return path.basename(this.path);
  }

  /**
   * Bytes taken so far, in the file or about to be. After a failed write, the bytes in the file
   * only: what was waiting behind the failure is dropped.
   */
  get offset(): number {
    return this.written + this.inFlightBytes + this.pendingBytes;
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

  /**
   * Takes `chunk` to append at `offset`, and returns once it is taken: it reaches the file soon
   * after (`sync` waits for it). The chunk is kept, not copied, until then: do not change it. Throws
   * the error of a write that failed (ENOSPC), this one's or an earlier one's: then `offset` and
   * the hash cover exactly the bytes in the file.
   */
  async write(chunk: Uint8Array): Promise<void> {
    this.throwFailure();
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.flushing ??= this.flush();
    while (this.pendingBytes >= MAX_PENDING_BYTES && this.batchDone && !this.failure) await this.batchDone;
    this.throwFailure();
  }

  /**
   * Writes every byte taken before the call, then fsyncs: only then may a heartbeat point at the
   * offset it returns. Bytes taken meanwhile are written too, not necessarily synced. After a
   * failed write, syncs the bytes in the file.
   */
  async sync(): Promise<number> {
    const mark = this.offset;
    // Batch by batch: while the download goes on, the write-behind as a whole need not end.
    for (let step = this.batchDone; this.written < mark && step && !this.failure; step = this.batchDone) await step;
    if (this.failure && !this.failure.reported) this.throwFailure();
    await this.handle.datasync();
    return Math.min(mark, this.written);
  }

  /** Back to zero: the server ignored the range or the file changed. */
  async reset(): Promise<void> {
    await this.settle();
    await this.handle.truncate(0);
    this.written = 0;
    this.hash = createHash('sha256');
    this.failure = undefined;
  }

  /** The sha256 of every byte taken so far (`offset`). */
  sha256(): string {
    const hash = this.hash.copy();
    for (const chunk of [...this.inFlight, ...this.pending]) hash.update(chunk);
    return hash.digest('hex');
  }

  /** Writes what was taken, then closes the file; a write that fails here leaves the bytes before it. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.handle.close().catch(() => undefined);
  }

  async remove(): Promise<void> {
    await this.settle();
    await this.handle.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }

  private throwFailure(): void {
    if (!this.failure) return;
    this.failure.reported = true;
    throw this.failure.error;
  }

  /** Drops what waits to be written and lets the `writev` under way end. */
  private async settle(): Promise<void> {
    this.pending = [];
    this.pendingBytes = 0;
    while (this.flushing) await this.flushing;
  }

  /** Writes the pending chunks, batch by batch, until none is left or a write fails. */
  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0 && !this.failure) {
        const batch = this.pending.splice(0, MAX_BATCH_CHUNKS);
        const bytes = batch.reduce((sum, chunk) => sum + chunk.length, 0);
        this.pendingBytes -= bytes;
        this.inFlight = batch;
        this.inFlightBytes = bytes;
        this.batchDone = this.writeBatch(batch, bytes);
        await this.batchDone;
      }
    } finally {
      this.inFlight = [];
      this.inFlightBytes = 0;
      this.batchDone = undefined;
      this.flushing = undefined;
    }
  }

  /**
   * One `writev` of `batch` at `written` (more if the kernel takes less), hashed on this thread
   * while the kernel copies it. Never rejects: a failure is kept in `failure`, the chunks waiting
   * behind it are dropped, and `written` and the hash cover exactly the bytes in the file.
   */
  private async writeBatch(batch: Uint8Array[], bytes: number): Promise<void> {
    const start = this.written;
    let done = 0;
    let writing = this.handle.writev(batch, start);
    const hashed = this.hash.copy();
    for (const chunk of batch) hashed.update(chunk);
    try {
      for (;;) {
        done += (await writing).bytesWritten;
        if (done >= bytes) break;
        writing = this.handle.writev(remainder(batch, done), start + done);
      }
      this.hash = hashed;
      this.written = start + bytes;
    } catch (error) {
      for (const chunk of prefix(batch, done)) this.hash.update(chunk);
      this.written = start + done;
      this.failure = { error, reported: false };
      this.pending = [];
      this.pendingBytes = 0;
    }
  }

  private async hashPrefix(): Promise<void> {
    if (this.written === 0) return;
    for await (const chunk of createReadStream(this.path, { start: 0, end: this.written - 1 })) {
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

/** The chunks of `batch` after its first `skip` bytes. */
function remainder(batch: Uint8Array[], skip: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  for (const chunk of batch) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    rest.push(skip > 0 ? chunk.subarray(skip) : chunk);
    skip = 0;
  }
  return rest;
}

/** The first `length` bytes of `batch`, as chunks. */
function prefix(batch: Uint8Array[], length: number): Uint8Array[] {
  const head: Uint8Array[] = [];
  for (const chunk of batch) {
    if (length <= 0) break;
    head.push(length >= chunk.length ? chunk : chunk.subarray(0, length));
    length -= chunk.length;
  }
  return head;
}
