/**
 * The MP4 structure check of `./mp4.ts`, fed chunk by chunk as the bytes stream past, for a sink
 * that keeps no local copy to read back (an S3 multipart upload). Its state is a few dozen bytes
 * of JSON, so it travels in a download's heartbeat and a retry on another machine resumes the
 * walk where the checkpoint left it. For any bytes and any chunking it reaches the same verdict,
 * with the same reason, as `checkMp4Buffer`.
 */
import { parseBoxHeader } from './mp4-box';
import { MAX_TOP_LEVEL_BOXES, type Mp4Check } from './mp4';

/** Where the walk is. JSON-serializable. */
export interface Mp4WalkState {
  /** Bytes fed so far. */
  offset: number;
  /** Where the current box starts. */
  boxStart: number;
  /** Where it ends: null while its header is incomplete, -1 for a size-0 box ("to the end of the file"). */
  boxEnd: number | null;
  /** The current box's header bytes collected so far (hex, at most 16 bytes). */
  header: string;
  /** Type of the size-0 box, checked once the file's size is known. */
  openType: string | null;
  boxes: number;
  moov: boolean;
  mdat: boolean;
  error: string | null;
}

export function newMp4Walk(): Mp4WalkState {
  return {
    offset: 0,
    boxStart: 0,
    boxEnd: null,
    header: '',
    openType: null,
    boxes: 0,
    moov: false,
    mdat: false,
    error: null,
  };
}

export class Mp4StreamCheck {
  private readonly s: Mp4WalkState;
  private header: Buffer;

  constructor(state: Mp4WalkState = newMp4Walk()) {
    this.s = { ...state };
    this.header = Buffer.from(state.header, 'hex');
  }

  /** A copy of the walk's state, to checkpoint. */
  state(): Mp4WalkState {
    return { ...this.s, header: this.header.toString('hex') };
  }

  feed(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && this.s.error === null) {
      if (this.s.boxEnd === -1) {
        this.s.offset += chunk.length - at; // everything else belongs to the size-0 box
        return;
      }
      if (this.s.boxEnd === null) {
        at += this.collectHeader(chunk, at);
        continue;
      }
      const skip = Math.min(this.s.boxEnd - this.s.offset, chunk.length - at);
      at += skip;
      this.s.offset += skip;
      if (this.s.offset === this.s.boxEnd) this.startBox();
    }
  }

  /** The verdict once every byte was fed. */
  finish(): Mp4Check {
    const s = this.s;
    if (s.error !== null) return fail(s.error);
    if (s.offset === 0) return fail('the file is empty');
    if (s.boxEnd === null && this.header.length > 0) {
      const what = this.header.length < 8 ? 'a box header' : 'a 64-bit box header';
      return fail(`${what} is cut off at byte ${s.boxStart}`);
    }
    if (s.boxEnd === -1) {
      const error = this.accept(s.openType!, s.offset - s.boxStart, 8);
      if (error) return fail(error);
    } else if (s.boxEnd !== null && s.boxEnd !== s.offset) {
      return fail(`the last box ends at byte ${s.boxEnd} but the file has ${s.offset} bytes (truncated)`);
    }
    if (!s.moov) return fail('no "moov" box: the MP4 has no index (truncated or incomplete)');
    if (!s.mdat) return fail('no "mdat" box: the MP4 has no media data');
    return { ok: true, boxes: [] };
  }

  /** Takes the bytes the current header still needs from `chunk`; returns how many it took. */
  private collectHeader(chunk: Uint8Array, at: number): number {
    const s = this.s;
    if (this.header.length === 0 && s.boxes >= MAX_TOP_LEVEL_BOXES) {
      s.error = 'too many top-level boxes';
      return 0;
    }
    const needed = this.header.length >= 8 && this.header.readUInt32BE(0) === 1 ? 16 : 8;
    const take = Math.min(needed - this.header.length, chunk.length - at);
    this.header = Buffer.concat([this.header, chunk.subarray(at, at + take)]);
    s.offset += take;
    if (this.header.length === 8 && this.header.readUInt32BE(0) === 1) return take; // a 64-bit size follows
    if (this.header.length < needed) return take;
    const parsed = parseBoxHeader(this.header, s.boxStart, Number.NaN);
    if (!parsed.ok) throw new Error('unreachable: a complete header always parses');
    if (!/^[\x20-\x7e]{4}$/.test(parsed.type)) {
      s.error = `no MP4 box at byte ${s.boxStart}`;
      return take;
    }
    if (this.header.readUInt32BE(0) === 0) {
      s.boxEnd = -1;
      s.openType = parsed.type;
      return take;
    }
    s.error = this.accept(parsed.type, parsed.size, parsed.headerBytes);
    s.boxEnd = s.boxStart + parsed.size;
    if (s.error === null && s.offset === s.boxEnd) this.startBox();
    return take;
  }

  /** The checks of one complete box header, in `checkMp4Structure`'s order; the error, if any. */
  private accept(type: string, size: number, headerBytes: number): string | null {
    const s = this.s;
    if (size < headerBytes) return `box "${type}" at byte ${s.boxStart} has an impossible size ${size}`;
    if (s.boxes === 0 && type !== 'ftyp') return `the file starts with "${type}", not "ftyp": not an MP4`;
    s.boxes += 1;
    if (type === 'moov') s.moov = true;
    if (type === 'mdat') s.mdat = true;
    return null;
  }

  private startBox(): void {
    this.s.boxStart = this.s.offset;
    this.s.boxEnd = null;
    this.header = Buffer.alloc(0);
  }
}

function fail(reason: string): Mp4Check {
  return { ok: false, reason };
}
