import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFileName, lastFrameFileName, MAX_FILE_NAME_BYTES } from '../../src/storage/file-name';

describe('lastFrameFileName', () => {
  it.each([
    ['video_abc123def456.mp4', 'video_abc123def456.last-frame.png'],
    ['cgt-20251009163014-wfnnx.mp4', 'cgt-20251009163014-wfnnx.last-frame.png'],
    ['fox in the snow.mp4', 'fox in the snow.last-frame.png'],
    ['LOUD.MP4', 'LOUD.last-frame.png'],
    ['twice.mp4.mp4', 'twice.mp4.last-frame.png'],
    ['no-extension', 'no-extension.last-frame.png'],
    ['clip.mov', 'clip.mov.last-frame.png'],
    ['été à Paris.mp4', 'été à Paris.last-frame.png'],
  ])('names the last frame of %j %j', (video, frame) => {
    expect(lastFrameFileName(video)).toEqual({ ok: true, fileName: frame });
  });

  it('refuses what checkFileName refuses in the video name', () => {
    for (const name of ['', '../x.mp4', 'a/b.mp4', '.hidden.mp4', 'x.part', 'a\nb.mp4']) {
      const check = lastFrameFileName(name);
      expect(check.ok).toBe(false);
      expect(check).toEqual(checkFileName(name));
    }
  });

  it(`refuses a last-frame name over ${MAX_FILE_NAME_BYTES} bytes, though the video name fits`, () => {
    const fits = 'a'.repeat(MAX_FILE_NAME_BYTES - '.last-frame.png'.length) + '.mp4';
    expect(lastFrameFileName(fits)).toMatchObject({ ok: true });
    const tooLong = 'a'.repeat(MAX_FILE_NAME_BYTES - 4) + '.mp4';
    expect(checkFileName(tooLong).ok).toBe(true);
    expect(lastFrameFileName(tooLong)).toEqual({ ok: false, reason: 'the file name is longer than 200 bytes' });
  });

  it('gives every accepted video name a safe frame name that differs from it and ends in .last-frame.png', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.boolean(), (stem, mp4) => {
        const video = mp4 ? `${stem}.mp4` : stem;
        if (!checkFileName(video).ok) return;
        const frame = lastFrameFileName(video);
        if (!frame.ok) return;
        expect(checkFileName(frame.fileName)).toEqual(frame);
        expect(frame.fileName).not.toBe(video);
        expect(frame.fileName.endsWith('.last-frame.png')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
