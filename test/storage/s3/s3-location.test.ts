import { describe, expect, it } from 'vitest';
import { UnsafeFileNameError } from '../../../src/storage/types';
import {
  checkBucketName,
  formatS3Uri,
  InvalidS3LocationError,
  isS3Uri,
  MAX_S3_KEY_BYTES,
  parseS3Location,
  s3KeyFor,
} from '../../../src/storage/s3';

describe('parseS3Location', () => {
  it.each([
    ['s3://videos', { bucket: 'videos', prefix: '' }],
    ['s3://videos/', { bucket: 'videos', prefix: '' }],
    ['s3://videos/seedance', { bucket: 'videos', prefix: 'seedance/' }],
    ['s3://videos/seedance/', { bucket: 'videos', prefix: 'seedance/' }],
    ['s3://my.videos-2026/a/b_c/(d)', { bucket: 'my.videos-2026', prefix: 'a/b_c/(d)/' }],
    ['s3://abc/.../x', { bucket: 'abc', prefix: '.../x/' }],
  ])('parses %s', (uri, expected) => {
    expect(parseS3Location(uri)).toEqual(expected);
  });

  it.each([
    ['videos', 's3://'],
    ['http://videos/x', 's3://'],
    ['S3://videos', 's3://'],
    ['s3://', '3 to 63'],
    ['s3://ab', '3 to 63'],
    [`s3://${'a'.repeat(64)}`, '3 to 63'],
    ['s3://Videos', 'lowercase'],
    ['s3://my_videos', 'lowercase'],
    ['s3://-videos', 'start and end'],
    ['s3://videos-', 'start and end'],
    ['s3://my..videos', '".."'],
    ['s3://my.-videos', 'next to'],
    ['s3://192.168.1.10', 'IP address'],
    ['s3://xn--videos', 'reserved prefix'],
    ['s3://videos-s3alias', 'reserved suffix'],
    ['s3://videos/../etc', '".."'],
    ['s3://videos/a/./b', '"."'],
    ['s3://videos//a', 'empty segment'],
    ['s3://videos/a//b', 'empty segment'],
    ['s3://videos/a b', 'may only use'],
    ['s3://videos/a\\b', 'may only use'],
    ['s3://videos/a%2Fb', 'may only use'],
    ['s3://videos/a\nb', 'may only use'],
    ['s3://videos/a?versionId=1', 'query'],
    ['s3://videos/a#b', 'fragments'],
    [`s3://videos/${'a'.repeat(900)}`, 'longer than'],
  ])('refuses %j', (uri, reason) => {
    const attempt = () => parseS3Location(uri);
    expect(attempt).toThrow(InvalidS3LocationError);
    expect(attempt).toThrow(reason);
  });

  it('has a non-retryable typed error', () => {
    try {
      parseS3Location('s3://UPPER');
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'S3InvalidLocation', retryable: false });
    }
  });

  it('recognizes s3 uris', () => {
    expect(isS3Uri('s3://videos')).toBe(true);
    expect(isS3Uri('S3://videos')).toBe(true);
    expect(isS3Uri('/var/videos')).toBe(false);
    expect(isS3Uri('file:///var/videos')).toBe(false);
  });

  it('accepts valid bucket names', () => {
    for (const name of ['abc', 'a-b.c1', '123', 'a'.repeat(63)]) expect(checkBucketName(name)).toBeUndefined();
  });
});

describe('s3KeyFor', () => {
  it('joins the prefix and a safe file name', () => {
    expect(s3KeyFor({ bucket: 'videos', prefix: 'seedance/' }, 'intro.mp4')).toBe('seedance/intro.mp4');
    expect(s3KeyFor({ bucket: 'videos', prefix: '' }, 'clip été.mp4')).toBe('clip été.mp4');
    expect(formatS3Uri('videos', 'seedance/intro.mp4')).toBe('s3://videos/seedance/intro.mp4');
  });

  it.each(['', '..', '../x.mp4', 'a/b.mp4', '.hidden.mp4', 'x.mp4.part', 'a\u0000b'])(
    'refuses the file name %j',
    (fileName) => {
      expect(() => s3KeyFor({ bucket: 'videos', prefix: 'p/' }, fileName)).toThrow(UnsafeFileNameError);
    },
  );

  it('fits the longest prefix and the longest file name into a 1024-byte key', () => {
    const location = parseS3Location(`s3://videos/${'a'.repeat(MAX_S3_KEY_BYTES - 201)}`);
    const key = s3KeyFor(location, `${'é'.repeat(98)}.mp4`);
    expect(Buffer.byteLength(key)).toBeLessThanOrEqual(MAX_S3_KEY_BYTES);
  });
});
