import { describe, expect, it } from 'vitest';
import { VideoUrlCache } from '../../src/activities/video-url-cache';

const URL_A = 'https://files.example.com/a.mp4?X-Amz-Signature=aaa';
const URL_B = 'https://files.example.com/b.mp4?X-Amz-Signature=bbb';
const NOW = 1_761_635_478_000;

describe('VideoUrlCache', () => {
  it('hands a URL to the next downloadVideo of the same task', () => {
    const cache = new VideoUrlCache();
    cache.put('video_a', URL_A, NOW);
    expect(cache.take('video_a', NOW + 1000)).toBe(URL_A);
  });

  it('hands each URL out once: a second attempt reads a fresh one from the status endpoint', () => {
    const cache = new VideoUrlCache();
    cache.put('video_a', URL_A, NOW);
    expect(cache.take('video_a', NOW)).toBe(URL_A);
    expect(cache.take('video_a', NOW)).toBeUndefined();
  });

  it('keeps the last-frame URL beside the video URL, and hands both out once', () => {
    const frame = 'https://files.example.com/a.png?X-Tos-Signature=ccc';
    const cache = new VideoUrlCache();
    cache.put('cgt-a', { videoUrl: URL_A, lastFrameUrl: frame }, NOW);
    expect(cache.takeUrls('cgt-a', NOW)).toEqual({ videoUrl: URL_A, lastFrameUrl: frame });
    expect(cache.takeUrls('cgt-a', NOW)).toBeUndefined();
    cache.put('video_a', URL_A, NOW);
    expect(cache.takeUrls('video_a', NOW)).toEqual({ videoUrl: URL_A });
  });

  it('knows nothing about a task it was not given', () => {
    expect(new VideoUrlCache().take('video_unknown', NOW)).toBeUndefined();
  });

  it('keeps URLs of different tasks apart', () => {
    const cache = new VideoUrlCache();
    cache.put('video_a', URL_A, NOW);
    cache.put('video_b', URL_B, NOW);
    expect(cache.take('video_b', NOW)).toBe(URL_B);
    expect(cache.take('video_a', NOW)).toBe(URL_A);
  });

  it('replaces an older URL of the same task with the newer one', () => {
    const cache = new VideoUrlCache();
    cache.put('video_a', URL_A, NOW);
    cache.put('video_a', URL_B, NOW + 1000);
    expect(cache.take('video_a', NOW + 1000)).toBe(URL_B);
  });

  it('keeps a URL for 5 minutes by default, then forgets it', () => {
    const fresh = new VideoUrlCache();
    fresh.put('video_a', URL_A, NOW);
    expect(fresh.take('video_a', NOW + 5 * 60_000)).toBe(URL_A);

    const stale = new VideoUrlCache();
    stale.put('video_a', URL_A, NOW);
    expect(stale.take('video_a', NOW + 5 * 60_000 + 1)).toBeUndefined();
  });

  it('drops an expired URL when asked for it, instead of keeping it', () => {
    const cache = new VideoUrlCache(1000);
    cache.put('video_a', URL_A, NOW);
    expect(cache.take('video_a', NOW + 2000)).toBeUndefined();
    // Even a clock that goes back does not bring it back.
    expect(cache.take('video_a', NOW)).toBeUndefined();
  });

  it('holds at most maxEntries URLs, forgetting the oldest first', () => {
    const cache = new VideoUrlCache(60_000, 3);
    for (const id of ['video_1', 'video_2', 'video_3', 'video_4']) cache.put(id, `${URL_A}&id=${id}`, NOW);
    expect(cache.take('video_1', NOW)).toBeUndefined();
    expect(cache.take('video_2', NOW)).toBe(`${URL_A}&id=video_2`);
    expect(cache.take('video_3', NOW)).toBe(`${URL_A}&id=video_3`);
    expect(cache.take('video_4', NOW)).toBe(`${URL_A}&id=video_4`);
  });

  it('counts a re-put task as the newest, so it outlives tasks put after its first put', () => {
    const cache = new VideoUrlCache(60_000, 2);
    cache.put('video_1', URL_A, NOW);
    cache.put('video_2', URL_B, NOW);
    cache.put('video_1', URL_A, NOW + 1);
    cache.put('video_3', URL_B, NOW + 2);
    expect(cache.take('video_2', NOW + 2)).toBeUndefined();
    expect(cache.take('video_1', NOW + 2)).toBe(URL_A);
  });

  it('stays within its cap under many tasks (1000 by default)', () => {
    const cache = new VideoUrlCache();
    for (let i = 0; i < 5000; i++) cache.put(`video_${i}`, URL_A, NOW);
    let kept = 0;
    for (let i = 0; i < 5000; i++) if (cache.take(`video_${i}`, NOW) !== undefined) kept++;
    expect(kept).toBe(1000);
  });
});
