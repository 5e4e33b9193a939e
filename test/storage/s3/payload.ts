import { createHash } from 'node:crypto';

/** `size` deterministic pseudo-random bytes from `seed` (mulberry32), so failures reproduce. */
export function seededPayload(size: number, seed: number): Buffer {
  const words = new Uint32Array(Math.ceil(size / 4));
  let state = seed >>> 0;
  for (let i = 0; i < words.length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    words[i] = (t ^ (t >>> 14)) >>> 0;
  }
  return Buffer.from(words.buffer, 0, size);
}

/** Splits `bytes` into chunks of varying sizes, like a network stream, so chunks straddle part boundaries. */
export function* chunksOf(bytes: Buffer, seed = 1): Generator<Buffer> {
  const sizes = [65_536 + 123, 16_384, 1_000_003, 777, 262_144];
  let offset = 0;
  for (let i = seed; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
