/**
 * The last-frame image ModelArk hands out with `return_last_frame`: a small valid PNG the size of
 * the sample video (320x180, a grey gradient), made once in memory.
 */
import { deflateSync } from 'node:zlib';
import { describeVideo, type VideoFile } from './sample-video';

const WIDTH = 320;
const HEIGHT = 180;
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let cached: VideoFile | undefined;

/** The PNG's bytes, sha256 and ETag (the file host serves it like the video). */
export function lastFramePng(): VideoFile {
  cached ??= describeVideo(makePng());
  return cached;
}

function makePng(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(WIDTH, 0);
  header.writeUInt32BE(HEIGHT, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(0, 9); // greyscale
  // compression, filter and interlace methods: 0
  const rows = Buffer.alloc((WIDTH + 1) * HEIGHT);
  for (let y = 0; y < HEIGHT; y++) {
    const row = y * (WIDTH + 1); // each row starts with filter type 0
    for (let x = 0; x < WIDTH; x++) rows[row + 1 + x] = Math.floor((x * 255) / (WIDTH - 1));
  }
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
