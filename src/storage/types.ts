/** The storage port: where verified videos are put in place, and the file-name error. */
import { FailureType } from '../contract/failures';
import type { StoredVideo } from '../contract/types';

export type { StoredVideo };

/**
 * Where finished videos go. Downloads are staged in a local directory and verified there; the
 * storage then puts the verified file in place in one step.
 */
export interface VideoStorage {
  /** A local directory for partial downloads (for a local root: inside it, so rename is atomic). */
  readonly stagingDir: string;
  /** Says where videos go, for logs (never a secret). */
  describe(): string;
  /** The stored video under `fileName`, verified as a complete MP4, or undefined if there is none. */
  find(fileName: string): Promise<StoredVideo | undefined>;
  /** Puts the verified local file `localPath` in place under `fileName`, atomically. */
  commit(localPath: string, fileName: string, meta: { bytes: number; sha256: string }): Promise<StoredVideo>;
}

export class UnsafeFileNameError extends Error {
  readonly code = FailureType.InvalidFileName;
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeFileNameError';
  }
}
