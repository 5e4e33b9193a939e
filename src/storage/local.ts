/**
 * The default storage: a local directory. Files appear under their final name only through an
 * atomic rename of a verified file, followed by an fsync of the directory so the rename survives
 * a power cut.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, realpath, rename } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkFileName } from './file-name';
import { checkMp4File } from './mp4';
import { UnsafeFileNameError, type StoredVideo, type VideoStorage } from './types';

export const STAGING_DIR_NAME = '.seedance-partial';

export class LocalDirectoryStorage implements VideoStorage {
  private constructor(
    /** The real (symlink-free) output root. */
    readonly root: string,
    readonly stagingDir: string,
  ) {}

  static async create(root: string): Promise<LocalDirectoryStorage> {
    await mkdir(root, { recursive: true });
    const realRoot = await realpath(root);
    const staging = path.join(realRoot, STAGING_DIR_NAME);
    await mkdir(staging, { recursive: true });
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
    if (path.dirname(target) !== this.root) throw new UnsafeFileNameError('file name refused: it leaves the output root');
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

  async commit(localPath: string, fileName: string, meta: { bytes: number; sha256: string }): Promise<StoredVideo> {
    const target = await this.resolve(fileName);
    await rename(localPath, target);
    await fsyncDirectory(this.root);
    return { uri: pathToFileURL(target).href, bytes: meta.bytes, sha256: meta.sha256 };
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
