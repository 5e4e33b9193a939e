import { loadSampleVideo, withTrailingFreeBox } from '../../src/simulator/sample-video';

/** A valid MP4 of exactly `bytes` (at most 512 MiB): the sample with a trailing `free` box as padding. */
export function videoOfSize(bytes: number): Buffer {
  const sample = loadSampleVideo();
  const headerBytes = 8;
  return withTrailingFreeBox(sample, 'x'.repeat(bytes - sample.length - headerBytes));
}
