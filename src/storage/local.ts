/**
 * The default storage: a local directory. Downloads are written to partial files in its staging
 * directory (the local sink), and appear under their final name only through an atomic rename of
 * a verified file, followed by an fsync of the directory so the rename survives a power cut.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkFileName } from './file-name';
import { LocalSink } from './local-sink';
import { checkMp4File } from './mp4';
import { PartialFile } from './partial-file';
import type { DiscardPartialsOptions, OpenSinkOptions, VideoSink } from './sink';
import {
  STALE_PARTIAL_MS,
  StoredFileConflictError,
  UnsafeFileNameError,
  type CompanionFile,
  type StoredCompanion,
  type StoredVideo,
  type VideoStorage,
} from './types';

export const STAGING_DIR_NAME = '.seedance-partial';

export class LocalDirectoryStorage implements VideoStorage {
  private constructor(
    /** The real (symlink-free) output root. */
    readonly root: string,
    /** Where partial downloads are written: inside the root, so the rename into place is atomic. */
    readonly stagingDir: string,
  ) {}

  static async create(root: string): Promise<LocalDirectoryStorage> {
    await mkdir(root, { recursive: true });
    const realRoot = await realpath(root);
    const staging = path.join(realRoot, STAGING_DIR_NAME);
    await mkdir(staging, { recursive: true });
    // mkdir accepts an existing symlink to a directory: partial files would then be written
    // outside the output root. Only a real directory will do.
    const stats = await lstat(staging);
    if (!stats.isDirectory()) {
      throw new UnsafeFileNameError(
        `${STAGING_DIR_NAME} in the output root is not a directory (a symlink?): refusing to write through it`,
      );
    }
    await removeStalePartials(staging, Date.now() - STALE_PARTIAL_MS);
    return new LocalDirectoryStorage(realRoot, staging);
  }

  describe(): string {
    return `local directory ${this.root}`;
  }

  /** The absolute path of `fileName` inside the root; refuses names and symlinks that leave it. */
  async resolve(fileName: string): Promise<string> {
    const check = checkFileName(fileName);
    if (!check.ok) throw new UnsafeFileNameError(`file name refused: ${check.reason}`);
    const target = path.join(this.root, check.fileName);
    if (path.dirname(target) !== this.root)
      throw new UnsafeFileNameError('file name refused: it leaves the output root');
    const existing = await lstat(target).catch(() => undefined);
    if (existing && !existing.isFile()) {
      throw new UnsafeFileNameError(`file name refused: ${check.fileName} exists and is not a regular file`);
    }
    return target;
  }

  async find(fileName: string): Promise<StoredVideo | undefined> {
    const target = await this.resolve(fileName);
    const stats = await lstat(target).catch(() => undefined);
    if (!stats) return undefined;
    const mp4 = await checkMp4File(target);
    if (!mp4.ok) return undefined;
    return { uri: pathToFileURL(target).href, bytes: stats.size, sha256: await sha256File(target) };
  }

  async openSink(options: OpenSinkOptions): Promise<VideoSink> {
    const check = checkFileName(options.fileName);
    if (!check.ok) throw new UnsafeFileNameError(`file name refused: ${check.reason}`);
    return LocalSink.open(this.stagingDir, options, (file, meta) => this.commit(file, options.fileName, meta));
  }

  async discardPartials({ fileName, taskId, except }: DiscardPartialsOptions): Promise<number> {
    return PartialFile.removeAll(this.stagingDir, fileName, taskId, except);
  }

  /**
   * Written like a video: a temp file of its own in the staging directory (named as a partial of
   * this file and task, so a crash's leftover is swept like one), fsynced, renamed into place,
   * directory fsynced. Any regular file already under the name counts as stored: same bytes are
   * reused, other bytes refused.
   */
  async storeCompanion({ fileName, bytes, taskId }: CompanionFile): Promise<StoredCompanion> {
    const target = await this.resolve(fileName);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (await lstat(target).catch(() => undefined)) {
      const held = await sha256File(target);
      if (held !== sha256) throw new StoredFileConflictError(fileName);
      return { file: { uri: pathToFileURL(target).href, bytes: bytes.length, sha256 }, reused: true };
    }
    const temp = await PartialFile.start(this.stagingDir, fileName, taskId);
    let file: StoredVideo;
    try {
      await temp.write(bytes);
      await temp.sync();
      await temp.close();
      file = await this.commit(temp.path, fileName, { bytes: bytes.length, sha256 });
    } catch (error) {
      await temp.remove();
      throw error;
    }
    await PartialFile.removeAll(this.stagingDir, fileName, taskId); // what a crashed attempt left
    return { file, reused: false };
  }

  /** Puts the verified local file `localPath` in place under `fileName`, atomically. */
  async commit(localPath: string, fileName: string, meta: { bytes: number; sha256: string }): Promise<StoredVideo> {
    const target = await this.resolve(fileName);
    await rename(localPath, target);
    await fsyncDirectory(this.root);
    return { uri: pathToFileURL(target).href, bytes: meta.bytes, sha256: meta.sha256 };
  }
}

async function removeStalePartials(staging: string, olderThanMs: number): Promise<void> {
  const names = await readdir(staging).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.endsWith('.part')) continue;
    const file = path.join(staging, name);
    const stats = await lstat(file).catch(() => undefined);
    if (stats?.isFile() && stats.mtimeMs < olderThanMs) await rm(file, { force: true });
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
