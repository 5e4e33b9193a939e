import { describe, expect, it } from 'vitest';
import { RecentKeys } from '../../src/callbacks/dedupe';

describe('RecentKeys', () => {
  it('remembers a key for the window, then forgets it', () => {
    const keys = new RecentKeys({ windowMs: 5_000 });
    keys.add('a', 1_000);
    expect(keys.has('a', 1_000)).toBe(true);
    expect(keys.has('a', 5_999)).toBe(true);
    expect(keys.has('a', 6_000)).toBe(false);
    expect(keys.has('b', 1_000)).toBe(false);
  });

  it('does not extend the window when a key is only seen again', () => {
    const keys = new RecentKeys({ windowMs: 5_000 });
    keys.add('a', 0);
    expect(keys.has('a', 4_000)).toBe(true);
    expect(keys.has('a', 5_000)).toBe(false);
  });

  it('keeps at most maxEntries keys, forgetting the oldest first', () => {
    const keys = new RecentKeys({ windowMs: 60_000, maxEntries: 3 });
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) keys.add(key, i);
    expect(keys.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((k) => keys.has(k, 10))).toEqual([false, true, true, true]);
  });

  it('drops expired keys as new ones arrive, so a slow trickle does not fill it', () => {
    const keys = new RecentKeys({ windowMs: 1_000, maxEntries: 10_000 });
    for (let i = 0; i < 5_000; i++) keys.add(`k${i}`, i * 100);
    expect(keys.size).toBeLessThanOrEqual(10);
  });

  it('bounds memory under a flood of distinct keys', () => {
    const keys = new RecentKeys({ windowMs: 5_000, maxEntries: 4_096 });
    for (let i = 0; i < 20_000; i++) keys.add(`forged-${i}`, 0);
    expect(keys.size).toBe(4_096);
  });
});
