import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMp4Buffer, checkMp4File, checkMp4Structure } from '../../src/storage/mp4';

const SAMPLE = path.resolve(__dirname, '../../assets/sample.mp4');

/** A top-level box with a 32-bit size. */
function box(type: string, payload: Uint8Array | number = 0, size?: number): Buffer {
  const body = typeof payload === 'number' ? Buffer.alloc(payload, 0x42) : Buffer.from(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(size ?? 8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/** A box with size 1 and a 64-bit "largesize" after the type. */
function box64(type: string, payloadBytes: number, largesize?: bigint): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(1, 0);
  header.write(type, 4, 'latin1');
  header.writeBigUInt64BE(largesize ?? BigInt(16 + payloadBytes), 8);
  return Buffer.concat([header, Buffer.alloc(payloadBytes, 0x42)]);
}

const ftyp = box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2avc1mp41', 'latin1'));
const moov = box('moov', 100);
const mdat = box('mdat', 1000);

async function reason(bytes: Uint8Array): Promise<string> {
  const check = await checkMp4Buffer(bytes);
  expect(check.ok).toBe(false);
  return check.ok ? '' : check.reason;
}

describe('checkMp4Buffer', () => {
  it('passes the real sample video (assets/sample.mp4)', async () => {
    const check = await checkMp4Buffer(await readFile(SAMPLE));
    expect(check.ok).toBe(true);
    if (check.ok) {
      expect(check.boxes[0]).toBe('ftyp');
      expect(check.boxes).toContain('moov');
      expect(check.boxes).toContain('mdat');
    }
  });

  it('passes a hand-built ftyp + moov + mdat, with the index before or after the media', async () => {
    expect(await checkMp4Buffer(Buffer.concat([ftyp, moov, mdat]))).toEqual({
      ok: true,
      boxes: ['ftyp', 'moov', 'mdat'],
    });
    expect(await checkMp4Buffer(Buffer.concat([ftyp, mdat, box('free', 8), moov]))).toEqual({
      ok: true,
      boxes: ['ftyp', 'mdat', 'free', 'moov'],
    });
  });

  it('refuses an HTML error page served as video/mp4', async () => {
    const html = Buffer.from(
      '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
    );
    expect(await reason(html)).toMatch(/not "ftyp": not an MP4/);
  });

  it('refuses a JSON error body', async () => {
    expect(await reason(Buffer.from('{"error":{"code":403,"message":"expired"}}'))).toMatch(/not an MP4|no MP4 box/);
  });

  it('refuses an MP4 without its "moov" index', async () => {
    expect(await reason(Buffer.concat([ftyp, mdat]))).toMatch(/no "moov" box/);
  });

  it('refuses an MP4 without media data', async () => {
    expect(await reason(Buffer.concat([ftyp, moov]))).toMatch(/no "mdat" box/);
  });

  it('refuses a file that does not start with "ftyp"', async () => {
    expect(await reason(Buffer.concat([moov, ftyp, mdat]))).toMatch(/starts with "moov", not "ftyp"/);
  });

  it('refuses a download cut in the middle of "mdat"', async () => {
    const whole = Buffer.concat([ftyp, moov, mdat]);
    const cut = whole.subarray(0, whole.length - 500);
    expect(await reason(cut)).toMatch(
      new RegExp(`ends at byte ${whole.length} but the file has ${cut.length} bytes \\(truncated\\)`),
    );
  });

  it('refuses a file cut inside a box header', async () => {
    const cut = Buffer.concat([ftyp, moov, mdat.subarray(0, 5)]);
    expect(await reason(cut)).toMatch(new RegExp(`box header is cut off at byte ${ftyp.length + moov.length}`));
  });

  it('refuses trailing garbage after the last box', async () => {
    const valid = Buffer.concat([ftyp, moov, mdat]);
    expect(await reason(Buffer.concat([valid, Buffer.from('garbage after the video')]))).toMatch(/truncated/);
    expect(await reason(Buffer.concat([valid, Buffer.alloc(8)]))).toMatch(
      new RegExp(`no MP4 box at byte ${valid.length}`),
    );
    expect(await reason(Buffer.concat([valid, Buffer.from('xyz')]))).toMatch(
      new RegExp(`cut off at byte ${valid.length}`),
    );
  });

  it('passes a box with a 64-bit largesize', async () => {
    expect(await checkMp4Buffer(Buffer.concat([ftyp, moov, box64('mdat', 2000)]))).toEqual({
      ok: true,
      boxes: ['ftyp', 'moov', 'mdat'],
    });
  });

  it('refuses a 64-bit largesize that runs past the end of the file', async () => {
    expect(await reason(Buffer.concat([ftyp, moov, box64('mdat', 2000, 2n ** 40n)]))).toMatch(/truncated/);
  });

  it('refuses a 64-bit header cut before its largesize', async () => {
    expect(await reason(Buffer.concat([ftyp, moov, box64('mdat', 0).subarray(0, 12)]))).toMatch(
      /64-bit box header is cut off/,
    );
  });

  it('refuses a 64-bit largesize smaller than a header', async () => {
    expect(await reason(Buffer.concat([ftyp, moov, box64('mdat', 0, 4n)]))).toMatch(/"mdat" .* impossible size 4/);
    // A 64-bit header takes 16 bytes: a box of 8-15 bytes would overlap the next one.
    expect(await reason(Buffer.concat([ftyp, moov, box64('mdat', 0, 12n)]))).toMatch(/"mdat" .* impossible size 12/);
  });

  it('passes a last box of size 0 ("to the end of the file")', async () => {
    expect(await checkMp4Buffer(Buffer.concat([ftyp, moov, box('mdat', 3000, 0)]))).toEqual({
      ok: true,
      boxes: ['ftyp', 'moov', 'mdat'],
    });
  });

  it('treats a size-0 box that is not last as swallowing the rest, so a later "moov" is missing', async () => {
    expect(await reason(Buffer.concat([ftyp, box('mdat', 3000, 0), moov]))).toMatch(/no "moov" box/);
  });

  // Sizes 0 ("to the end") and 1 ("64-bit size follows") have their own meanings, tested above.
  it.each([2, 4, 7])('refuses a box of size %d (smaller than its own header)', async (size) => {
    expect(await reason(Buffer.concat([ftyp, box('moov', 100, size), mdat]))).toMatch(
      new RegExp(`"moov" at byte ${ftyp.length} has an impossible size ${size}`),
    );
  });

  it('refuses a box type that is not printable', async () => {
    expect(await reason(Buffer.concat([ftyp, box('\u0001\u0002\u0003\u0004', 8), moov, mdat]))).toMatch(
      /no MP4 box at byte/,
    );
  });

  it('refuses empty input', async () => {
    expect(await reason(new Uint8Array(0))).toMatch(/no "moov" box/);
  });

  it('refuses a box count beyond 10 000 without reading on', async () => {
    const many = Buffer.concat([ftyp, ...Array.from({ length: 10_001 }, () => box('free'))]);
    expect(await reason(many)).toMatch(/too many top-level boxes/);
  });
});

describe('checkMp4Structure', () => {
  it('reads only box headers (at most 16 bytes a box), never the media', async () => {
    const bytes = Buffer.concat([ftyp, moov, box('mdat', 1_000_000)]);
    const reads: number[] = [];
    const check = await checkMp4Structure(async (position, length) => {
      reads.push(length);
      return bytes.subarray(position, position + length);
    }, bytes.length);
    expect(check.ok).toBe(true);
    expect(reads).toHaveLength(3);
    expect(Math.max(...reads)).toBeLessThanOrEqual(16);
  });
});

describe('checkMp4File', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'seedance-mp4-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes the real sample video from disk', async () => {
    expect((await checkMp4File(SAMPLE)).ok).toBe(true);
  });

  it('refuses an empty file, saying it is empty', async () => {
    const file = path.join(dir, 'empty.mp4');
    await writeFile(file, '');
    expect(await checkMp4File(file)).toEqual({ ok: false, reason: 'the file is empty' });
  });

  it('refuses a truncated file on disk', async () => {
    const file = path.join(dir, 'cut.mp4');
    const sample = await readFile(SAMPLE);
    await writeFile(file, sample.subarray(0, sample.length - 1000));
    const check = await checkMp4File(file);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(/truncated/);
  });
});
