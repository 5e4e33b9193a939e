/**
 * A structural check of an MP4 file's top-level boxes: `ftyp` first, `moov` and `mdat` present,
 * and box sizes that add up to exactly the file size. Catches HTML error pages served as
 * video/mp4, truncated files and files with a missing index, without decoding anything.
 */
import { open } from 'node:fs/promises';
import { parseBoxHeader } from './mp4-box';

export type Mp4Check = { ok: true; boxes: string[] } | { ok: false; reason: string };

const HEADER_BYTES = 16;
/** More top-level boxes than any real MP4 has: refused rather than walked. */
export const MAX_TOP_LEVEL_BOXES = 10_000;

/** Reads `length` bytes at `position`; returns fewer at the end of the data. */
export type ReadAt = (position: number, length: number) => Promise<Uint8Array>;

export async function checkMp4Structure(readAt: ReadAt, size: number): Promise<Mp4Check> {
  const boxes: string[] = [];
  let offset = 0;
  while (offset < size) {
    if (boxes.length >= MAX_TOP_LEVEL_BOXES) return { ok: false, reason: 'too many top-level boxes' };
    const header = parseBoxHeader(await readAt(offset, HEADER_BYTES), offset, size);
    if (!header.ok) {
      const what = header.problem === 'header cut off' ? 'a box header' : 'a 64-bit box header';
      return { ok: false, reason: `${what} is cut off at byte ${offset}` };
    }
    const { type, size: boxSize, headerBytes } = header;
    if (!/^[\x20-\x7e]{4}$/.test(type)) return { ok: false, reason: `no MP4 box at byte ${offset}` };
    if (boxSize < headerBytes)
      return { ok: false, reason: `box "${type}" at byte ${offset} has an impossible size ${boxSize}` };
    if (boxes.length === 0 && type !== 'ftyp')
      return { ok: false, reason: `the file starts with "${type}", not "ftyp": not an MP4` };
    boxes.push(type);
    offset += boxSize;
  }
  if (offset !== size)
    return { ok: false, reason: `the last box ends at byte ${offset} but the file has ${size} bytes (truncated)` };
  if (!boxes.includes('moov'))
    return { ok: false, reason: 'no "moov" box: the MP4 has no index (truncated or incomplete)' };
  if (!boxes.includes('mdat')) return { ok: false, reason: 'no "mdat" box: the MP4 has no media data' };
  return { ok: true, boxes };
}

export async function checkMp4File(path: string): Promise<Mp4Check> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return { ok: false, reason: 'the file is empty' };
    return await checkMp4Structure(async (position, length) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    }, size);
  } finally {
    await handle.close();
  }
}

export function checkMp4Buffer(bytes: Uint8Array): Promise<Mp4Check> {
  return checkMp4Structure(async (position, length) => bytes.subarray(position, position + length), bytes.length);
}
