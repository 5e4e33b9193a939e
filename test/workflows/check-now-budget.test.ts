import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECK_NOW_BURST, CHECK_NOW_REFILL_MS, CheckNowBudget } from '../../src/workflows/check-now-budget';

const TASK = 'cgt-20261201120000-abcde';

describe('CheckNowBudget', () => {
  it('honours a burst of three, then one per refill interval', () => {
    const budget = new CheckNowBudget(0);
    const verdicts = Array.from({ length: 5 }, () => budget.consider(undefined, TASK, 1_000));
    expect(verdicts).toEqual(['check', 'check', 'check', 'over-budget', 'over-budget']);
    expect(budget.consider(undefined, TASK, CHECK_NOW_REFILL_MS - 1)).toBe('over-budget');
    expect(budget.consider(undefined, TASK, CHECK_NOW_REFILL_MS)).toBe('check');
    expect(budget.consider(undefined, TASK, CHECK_NOW_REFILL_MS + 1)).toBe('over-budget');
    expect(budget.consider(undefined, TASK, 2 * CHECK_NOW_REFILL_MS)).toBe('check');
  });

  it('costs no read for a hint about another task, or one saying the task is still queued or rendering', () => {
    const budget = new CheckNowBudget(0);
    expect(budget.consider({ source: 'callback', taskId: 'cgt-other', status: 'completed' }, TASK, 0)).toBe(
      'other-task',
    );
    expect(budget.consider({ source: 'callback', taskId: TASK, status: 'queued' }, TASK, 0)).toBe('not-final');
    expect(budget.consider({ source: 'callback', taskId: TASK, status: 'processing' }, TASK, 0)).toBe('not-final');
    // None of those spent a token.
    for (let i = 0; i < CHECK_NOW_BURST; i++) {
      expect(budget.consider({ source: 'callback', taskId: TASK, status: 'completed' }, TASK, 0)).toBe('check');
    }
  });

  it('takes a hint naming a task before the run knows its own (a generate run whose create is in flight)', () => {
    expect(new CheckNowBudget(0).consider({ taskId: 'cgt-any', status: 'failed' }, null, 0)).toBe('check');
  });

  it('never allows more reads than the burst plus one per elapsed interval, however signals arrive', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(10 * CHECK_NOW_REFILL_MS), { maxLength: 300 }), (times) => {
        const budget = new CheckNowBudget(0);
        const sorted = [...times].sort((a, b) => a - b);
        const checks = sorted.filter((t) => budget.consider(undefined, TASK, t) === 'check').length;
        const last = sorted.at(-1) ?? 0;
        expect(checks).toBeLessThanOrEqual(CHECK_NOW_BURST + Math.floor(last / CHECK_NOW_REFILL_MS));
      }),
    );
  });
});
