import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { apiQueueRateLimit } from '../../src/activities/api-budget';

/**
 * The most requests one second carries on a one-partition queue limited to `rate`: Temporal's token
 * bucket holds `ceil(rate)` tokens after an idle spell (one more on a brand-new queue), all spent at
 * once, then refills one every `1 / rate` seconds.
 */
function worstSecond(rate: number): number {
  const burst = Math.max(1, Math.ceil(rate)) + 1;
  let refills = 0;
  for (let k = 1; k / rate < 1; k++) refills++;
  return burst + refills;
}

describe('apiQueueRateLimit', () => {
  it('is half the budget, rounded down: 5 → 2, 10 → 5, 60 → 30, 2 → 1, 1 → 0.5', () => {
    expect([5, 10, 60, 2, 1].map(apiQueueRateLimit)).toEqual([2, 5, 30, 1, 0.5]);
  });

  it('never lets a second carry more than the budget plus one for window edges, and is within one of half the budget', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1_000, noNaN: true }), (budget) => {
        const rate = apiQueueRateLimit(budget);
        expect(worstSecond(rate)).toBeLessThanOrEqual(budget + 1);
        expect(rate).toBeGreaterThan(budget / 2 - 1);
      }),
    );
  });

  it('refuses a budget that is not a positive number', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => apiQueueRateLimit(bad)).toThrow(RangeError);
    }
  });
});
