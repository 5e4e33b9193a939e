/**
 * The streaming MP4 check against the whole-buffer one: for any bytes, split into any chunks, and
 * checkpointed (JSON round-trip) at any chunk boundary, both reach the same verdict and reason.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkMp4Buffer } from '../../src/storage/mp4';
import { Mp4StreamCheck, type Mp4WalkState } from '../../src/storage/mp4-stream';

const SAMPLE = readFileSync(path.resolve(__dirname, '../../assets/sample.mp4'));

function box(
  type: string,
  payload: number,
  size: 'normal' | 'large' | 'zero' | number | { large: number } = 'normal',
): Buffer {
  const header = size === 'large' || typeof size === 'object' ? 16 : 8;
  const total = header + payload;
  const out = Buffer.alloc(total, 0xab);
  if (size === 'large' || typeof size === 'object') {
    out.writeUInt32BE(1, 0);
    out.writeBigUInt64BE(BigInt(size === 'large' ? total : size.large), 8);
  } else {
    out.writeUInt32BE(size === 'zero' ? 0 : size === 'normal' ? total : size, 0);
  }
  out.write(type.padEnd(4, ' ').slice(0, 4), 4, 'latin1');
  return out;
}

/** Feeds `bytes` in pieces cut at `cuts`, checkpointing and resuming at each cut when `resume`. */
function streamed(bytes: Buffer, cuts: number[], resume: boolean) {
  let check = new Mp4StreamCheck();
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b)) {
    check.feed(bytes.subarray(from, cut));
    from = cut;
    if (resume) check = new Mp4StreamCheck(JSON.parse(JSON.stringify(check.state())) as Mp4WalkState);
  }
  check.feed(bytes.subarray(from));
  return check.finish();
}

/** The whole-buffer verdict without its list of box types (the streaming walk keeps no list). */
async function whole(bytes: Buffer) {
  const verdict = await checkMp4Buffer(bytes);
  return verdict.ok ? { ok: true, boxes: [] } : verdict;
}

const arbBox = fc.oneof(
  fc.record({
    type: fc.constantFrom('ftyp', 'moov', 'mdat', 'free', 'uuid', '\u0001bad'),
    payload: fc.integer({ min: 0, max: 40 }),
    size: fc.oneof(
      fc.constant<'normal'>('normal'),
      fc.constant<'large'>('large'),
      fc.constant<'zero'>('zero'),
      fc.integer({ min: 0, max: 70 }),
      fc.record({ large: fc.integer({ min: 0, max: 70 }) }),
    ),
  }),
);

const arbFile = fc
  .tuple(fc.array(arbBox, { minLength: 0, maxLength: 6 }), fc.integer({ min: 0, max: 8 }), fc.boolean())
  .map(([boxes, chop, validStart]) => {
    const parts = boxes.map((b) => box(b.type, b.payload, b.size));
    if (validStart) parts.unshift(box('ftyp', 12), box('moov', 20), box('mdat', 30));
    const bytes = Buffer.concat(parts);
    return bytes.subarray(0, Math.max(0, bytes.length - chop));
  });

describe('the streaming MP4 check', () => {
  it('accepts the sample video fed in 1-byte, 7-byte and 64 KiB chunks, resumed from JSON at every cut', async () => {
    for (const step of [7, 65_536]) {
      const cuts = Array.from({ length: Math.floor(SAMPLE.length / step) }, (_, i) => (i + 1) * step);
      expect(streamed(SAMPLE, cuts, true)).toEqual({ ok: true, boxes: [] });
    }
    const check = new Mp4StreamCheck();
    for (const byte of SAMPLE.subarray(0, 4096)) check.feed(Uint8Array.of(byte));
    check.feed(SAMPLE.subarray(4096));
    expect(check.finish().ok).toBe(true);
  });

  it('keeps a checkpoint small', () => {
    const check = new Mp4StreamCheck();
    check.feed(SAMPLE.subarray(0, 100_003));
    expect(JSON.stringify(check.state()).length).toBeLessThan(300);
  });

  it('refuses what the whole-file check refuses, with the same reason', async () => {
    const truncated = SAMPLE.subarray(0, SAMPLE.length - 1000);
    const html = Buffer.from('<html><body>403 Forbidden</body></html>');
    for (const bytes of [truncated, html, Buffer.alloc(0)]) {
      const verdict = streamed(bytes, [3, 100, 5000], true);
      expect(verdict.ok).toBe(false);
      if (bytes.length > 0) expect(verdict).toEqual(await whole(bytes));
    }
  });

  it('agrees with checkMp4Buffer on any box sequence, any chunking, resumed or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbFile.filter((b) => b.length > 0),
        fc.array(fc.nat({ max: 400 }), { maxLength: 12 }),
        fc.boolean(),
        async (bytes, cuts, resume) => {
          expect(streamed(bytes, cuts, resume)).toEqual(await whole(bytes));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
