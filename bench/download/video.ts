import { loadSampleVideo } from '../../src/simulator';

/** The sample MP4 with a large trailing `free` box: valid structure, exactly `totalBytes`. */
export function paddedVideo(totalBytes: number): Buffer {
  const sample = loadSampleVideo();
  const pad = totalBytes - sample.length;
  const header = Buffer.alloc(8);
  header.writeUInt32BE(pad, 0);
  header.write('free', 4, 'latin1');
  return Buffer.concat([sample, header, Buffer.alloc(pad - 8, 0x2a)]);
}
