/**
 * The partial file's write-behind: `write` returns before the bytes reach the file, so a write that
 * fails later (ENOSPC) must still be seen, and must leave `offset` and the hash on exactly the bytes
 * in the file, as the synchronous writes did.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_PENDING_BYTES, PartialFile } from '../../src/storage/partial-file';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'seedance-partial-file-'));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** Makes every `writev` after the first `okCalls` fail with ENOSPC, the first failing one after writing `partial` bytes. */
async function failWritesAfter(okCalls: number, partial = 0): Promise<void> {
  const probe = await open(path.join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { writev: (...args: unknown[]) => Promise<{ bytesWritten: number }> };
  await probe.close();
  const real = proto.writev;
  let calls = 0;
  let partialDone = false;
  vi.spyOn(proto, 'writev').mockImplementation(async function (this: unknown, ...args: unknown[]) {
    if (calls++ < okCalls) return real.apply(this, args);
    if (partial > 0 && !partialDone) {
      partialDone = true;
      const [buffers, position] = args as [Uint8Array[], number];
      return real.apply(this, [[Buffer.concat(buffers).subarray(0, partial)], position]);
    }
    throw enospc();
  });
}

describe('PartialFile write-behind', () => {
  it('writes every byte taken, in order, and sync makes them durable', async () => {
    const file = await PartialFile.start(dir, 'clip.mp4', 'cgt-1');
    const bytes = Buffer.alloc(3 * MAX_PENDING_BYTES + 12_345);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 251;
    for (let at = 0; at < bytes.length; at += 65_536) await file.write(bytes.subarray(at, at + 65_536));
    expect(file.offset).toBe(bytes.length);
    expect(file.sha256()).toBe(sha256(bytes));
    expect(await file.sync()).toBe(bytes.length);
    await file.close();
    expect(sha256(await readFile(file.path))).toBe(sha256(bytes));
  });

  it('a failed write is thrown by a later write; offset and hash then cover exactly the bytes in the file', async () => {
    await failWritesAfter(1, 1000);
    const file = await PartialFile.start(dir, 'clip.mp4', 'cgt-1');
    const chunk = Buffer.alloc(65_536, 1);
    let thrown: unknown;
    try {
      for (let i = 0; i < 1000; i++) await file.write(chunk);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'ENOSPC' });
    const held = await readFile(file.path);
    expect(file.offset).toBe(held.length);
    expect(file.sha256()).toBe(sha256(held));
    // Reported once: a checkpoint after it syncs and names the bytes in the file, as before.
    expect(await file.sync()).toBe(held.length);
    await expect(file.write(chunk)).rejects.toMatchObject({ code: 'ENOSPC' });
    await file.close();
  });

  it('a failed write that no write reported is thrown by sync: no bytes go missing unseen', async () => {
    await failWritesAfter(0);
    const file = await PartialFile.start(dir, 'clip.mp4', 'cgt-1');
    await file.write(Buffer.alloc(1000, 1)); // taken; its write fails behind it
    await expect(file.sync()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(file.offset).toBe(0);
    expect(file.sha256()).toBe(sha256(Buffer.alloc(0)));
    await file.remove();
  });

  it('reset after a failed write starts over from zero and writes again', async () => {
    await failWritesAfter(0);
    const file = await PartialFile.start(dir, 'clip.mp4', 'cgt-1');
    await file.write(Buffer.alloc(1000, 1));
    await expect(file.sync()).rejects.toMatchObject({ code: 'ENOSPC' });
    vi.restoreAllMocks();
    await file.reset();
    await file.write(Buffer.from('again'));
    expect(await file.sync()).toBe(5);
    await file.close();
    expect((await readFile(file.path)).toString()).toBe('again');
  });
});
