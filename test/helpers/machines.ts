/**
 * Worker processes "on separate machines": each gets its own working directory and its own
 * `TMPDIR` under one fresh temp folder, so nothing one worker leaves on disk is there for another.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Machine {
  /** The worker's working directory. */
  cwd: string;
  /** The environment that gives it its own temp directory (`TMPDIR`). */
  env: { TMPDIR: string };
}

export interface Machines {
  /** A new machine's directories (`<root>/<name>/work` and `<root>/<name>/tmp`). */
  add(name: string): Promise<Machine>;
  /** Removes every machine's directories. */
  remove(): Promise<void>;
}

export async function createMachines(): Promise<Machines> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-machines-'));
  return {
    async add(name) {
      const cwd = path.join(root, name, 'work');
      const tmp = path.join(root, name, 'tmp');
      await Promise.all([fs.mkdir(cwd, { recursive: true }), fs.mkdir(tmp, { recursive: true })]);
      return { cwd, env: { TMPDIR: tmp } };
    },
    remove: () => fs.rm(root, { recursive: true, force: true }),
  };
}
