/** The sample MP4 and the variants the faults serve: a changed file and one without its moov box. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseBoxHeader } from '../storage/mp4-box';

/**
 * 3 s, 320x180, H.264 + AAC sine, ~177 KB (noise keeps it from compressing to nothing), made with:
 * ffmpeg -f lavfi -i testsrc=size=320x180:rate=25:duration=3 -f lavfi -i sine=frequency=440:sample_rate=44100:duration=3
 *   -vf noise=alls=9:allf=t -c:v libx264 -preset medium -crf 23 -pix_fmt yuv420p -profile:v main -c:a aac -b:a 96k
 *   -shortest -movflags +faststart -map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact assets/sample.mp4
 * (ffmpeg 5.1 reproduces it byte for byte.)
 * Resolved from src/simulator (tsx) and from dist/simulator (built) alike.
 */
export const SAMPLE_VIDEO_PATH = path.join(__dirname, '../../assets/sample.mp4');

export function loadSampleVideo(): Buffer {
  return readFileSync(SAMPLE_VIDEO_PATH);
}

export interface VideoFile {
  bytes: Buffer;
  sha256: string;
  /** Strong ETag, quoted: the first 16 hex digits of the sha256. */
  etag: string;
}

export function describeVideo(bytes: Buffer): VideoFile {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { bytes, sha256, etag: `"${sha256.slice(0, 16)}"` };
}

export interface Box {
  type: string;
  start: number;
  size: number;
}

/** The top-level ISO-BMFF boxes; stops at the first box whose size does not fit. */
export function topLevelBoxes(bytes: Buffer): Box[] {
  const boxes: Box[] = [];
  for (let start = 0; start + 8 <= bytes.length;) {
    const header = parseBoxHeader(bytes.subarray(start, start + 16), start, bytes.length);
    if (!header.ok || header.size < 8 || start + header.size > bytes.length) break;
    boxes.push({ type: header.type, start, size: header.size });
    start += header.size;
  }
  return boxes;
}

/** The same file without one top-level box type (e.g. `moov`: a truncated, unplayable MP4). */
export function withoutBox(bytes: Buffer, type: string): Buffer {
  const kept = topLevelBoxes(bytes).filter((b) => b.type !== type);
  return Buffer.concat(kept.map((b) => bytes.subarray(b.start, b.start + b.size)));
}

/** A still-valid MP4 with different bytes: the original plus a trailing `free` box carrying `note`. */
export function withTrailingFreeBox(bytes: Buffer, note: string): Buffer {
  const payload = Buffer.from(note, 'utf8');
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + payload.length, 0);
  header.write('free', 4, 'latin1');
  return Buffer.concat([bytes, header, payload]);
}
