import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFileName, defaultFileName, MAX_FILE_NAME_BYTES } from '../../src/storage/file-name';

const ROOT = '/srv/seedance/videos';

/** Strings rich in the characters that make names dangerous, mixed with ordinary ones. */
const dangerousUnit = fc.constantFrom(
  '.',
  '.',
  '/',
  '\\',
  '\u0000',
  '\n',
  '\r',
  '\t',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
  'a',
  'Z',
  '0',
  '-',
  '_',
  ' ',
  'é',
  '日',
  '\u{1F3AC}',
  '\u202e',
  ':',
  '~',
  '%',
  'part',
);
const candidateName = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: dangerousUnit, maxLength: 20 }),
  fc.string({ unit: dangerousUnit, maxLength: 20 }).map((s) => `${s}.mp4`),
);

describe('checkFileName', () => {
  it('accepts only names with no "/", "\\", NUL or control character, that are not "." or ".."', () => {
    fc.assert(
      fc.property(candidateName, (name) => {
        const check = checkFileName(name);
        if (!check.ok) {
          expect(check.reason).not.toBe('');
          return;
        }
        expect(check.fileName).toBe(name);
        expect(name).not.toMatch(/[/\\\u0000]/);
        expect(name).not.toMatch(/\p{Cc}/u);
        expect(name).not.toBe('.');
        expect(name).not.toBe('..');
        expect(name.startsWith('.')).toBe(false);
        expect(name.endsWith('.part')).toBe(false);
        expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(MAX_FILE_NAME_BYTES);
      }),
      { numRuns: 5000 },
    );
  });

  it('keeps every accepted name directly inside the output root once joined', () => {
    fc.assert(
      fc.property(candidateName, (name) => {
        if (!checkFileName(name).ok) return;
        const joined = path.join(ROOT, name);
        expect(path.dirname(joined)).toBe(ROOT);
        expect(path.basename(joined)).toBe(name);
        expect(path.relative(ROOT, joined)).toBe(name);
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    'video_abc123def456.mp4',
    'fox in the snow.mp4',
    'été à Paris.mp4',
    '日本語のビデオ.mp4',
    'clip-\u{1F3AC}.mp4',
    'a..b.mp4',
    'x.part.mp4',
    'no-extension',
  ])('accepts %j', (name) => {
    expect(checkFileName(name)).toEqual({ ok: true, fileName: name });
  });

  it.each([
    ['', /empty/],
    ['.', /cannot be "\." or "\.\."/],
    ['..', /cannot be "\." or "\.\."/],
    ['../x.mp4', /one path segment/],
    ['a/b.mp4', /one path segment/],
    ['a\\b.mp4', /one path segment/],
    ['/etc/passwd', /one path segment/],
    ['video\u0000.mp4', /control character/],
    ['a\nb.mp4', /control character/],
    ['\u001b[31mred.mp4', /control character/],
    ['del\u007f.mp4', /control character/],
    ['.hidden.mp4', /start with "\."/],
    ['video.mp4.part', /\.part/],
    ['x.part', /\.part/],
  ])('refuses %j with a reason', (name, reason) => {
    const check = checkFileName(name);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(reason);
  });

  it('refuses C1 control characters (U+0080-U+009F), which some terminals read as escapes', () => {
    for (const ch of ['\u0085', '\u009b']) {
      const check = checkFileName(`a${ch}b.mp4`);
      expect(check.ok).toBe(false);
    }
  });

  it(`counts the ${MAX_FILE_NAME_BYTES}-byte limit in UTF-8 bytes, not characters`, () => {
    expect(checkFileName('a'.repeat(196) + '.mp4').ok).toBe(true); // 200 bytes
    expect(checkFileName('a'.repeat(197) + '.mp4').ok).toBe(false); // 201 bytes
    expect(checkFileName('a'.repeat(296) + '.mp4')).toEqual({
      ok: false,
      reason: 'the file name is longer than 200 bytes',
    });
    // 67 three-byte characters are 201 bytes, though only 67 characters.
    expect(checkFileName('日'.repeat(66)).ok).toBe(true); // 198 bytes
    expect(checkFileName('日'.repeat(67)).ok).toBe(false); // 201 bytes
    expect(checkFileName('\u{1F3AC}'.repeat(50)).ok).toBe(true); // 200 bytes
    expect(checkFileName('\u{1F3AC}'.repeat(51)).ok).toBe(false); // 204 bytes
  });
});

describe('defaultFileName', () => {
  it("names a task's video <taskId>.mp4", () => {
    expect(defaultFileName('video_abc123def456')).toBe('video_abc123def456.mp4');
  });
});
