import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkPlan,
  isValidQuantiles,
  nextPlannedDelayMs,
  planOutcome,
  spacingIntegral,
  uniformQuantiles,
  type CompletionQuantiles,
} from '../../src/seedance/completion-model';

const S = 1000;

/** Offline: checks a task that completes at `doneMs` would get, following the plan from creation. */
function follow(q: CompletionQuantiles, doneMs: number, targetLagMs: number, minMs: number, maxMs: number) {
  let t = 0;
  let calls = 0;
  for (;;) {
    t += nextPlannedDelayMs({ elapsedMs: t, quantiles: q, targetLagMs, minIntervalMs: minMs, maxIntervalMs: maxMs });
    calls += 1;
    if (t >= doneMs) return { calls, lag: t - doneMs };
  }
}

/** Fixed polling every `everyMs` from creation. */
function fixed(doneMs: number, everyMs: number) {
  const calls = Math.ceil(doneMs / everyMs);
  return { calls, lag: calls * everyMs - doneMs };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

describe('the check plan (sqrt-hazard spacing, calibrated to the target lag)', () => {
  it('on a uniform distribution (720p, 2-5 min) matches the lag of polling every 30 s with under half the calls', () => {
    const q = uniformQuantiles(120 * S, 300 * S);
    const done = Array.from({ length: 400 }, (_, i) => 120 * S + ((i + 0.5) / 400) * 180 * S);
    const ours = done.map((d) => follow(q, d, 13.5 * S, 10 * S, 120 * S));
    const base = done.map((d) => fixed(d, 30 * S));
    expect(mean(ours.map((r) => r.lag))).toBeLessThanOrEqual(mean(base.map((r) => r.lag)));
    expect(mean(ours.map((r) => r.calls))).toBeLessThanOrEqual(0.5 * mean(base.map((r) => r.calls)));
  });

  it('on 480p (30 s-2 min), where the 10 s floor binds, keeps the lag of polling every 10 s with at most 0.7x the calls', () => {
    const q = uniformQuantiles(30 * S, 120 * S);
    const done = Array.from({ length: 400 }, (_, i) => 30 * S + ((i + 0.5) / 400) * 90 * S);
    const ours = done.map((d) => follow(q, d, 4.75 * S, 10 * S, 40 * S));
    const base = done.map((d) => fixed(d, 10 * S));
    expect(mean(ours.map((r) => r.lag))).toBeLessThanOrEqual(mean(base.map((r) => r.lag)) + 1);
    expect(mean(ours.map((r) => r.calls))).toBeLessThanOrEqual(0.7 * mean(base.map((r) => r.calls)));
  });

  it('aims at the target mean lag on its own distribution', () => {
    const q = uniformQuantiles(180 * S, 480 * S);
    const done = Array.from({ length: 400 }, (_, i) => 180 * S + ((i + 0.5) / 400) * 300 * S);
    for (const target of [8 * S, 15 * S, 30 * S]) {
      const lag = mean(done.map((d) => follow(q, d, target, 1, 600 * S).lag));
      expect(lag).toBeGreaterThan(0.7 * target);
      expect(lag).toBeLessThan(1.3 * target);
    }
  });

  it('waits for the earliest completion before the first check, and falls back to the maximum interval after the last', () => {
    const q = uniformQuantiles(120 * S, 300 * S);
    const plan = (elapsedMs: number) =>
      nextPlannedDelayMs({
        elapsedMs,
        quantiles: q,
        targetLagMs: 15 * S,
        minIntervalMs: 10 * S,
        maxIntervalMs: 60 * S,
      });
    expect(plan(0)).toBeGreaterThan(120 * S);
    expect(plan(400 * S)).toBe(60 * S);
  });

  it('never waits less than the floor nor more than the cap inside the distribution, for any quantiles', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3_600_000 }), { minLength: 2, maxLength: 21 }),
        fc.integer({ min: 0, max: 4_000_000 }),
        (values, elapsedMs) => {
          const q = [...values].sort((a, b) => a - b);
          fc.pre(isValidQuantiles(q) && spacingIntegral(q) > 0);
          const delay = nextPlannedDelayMs({
            elapsedMs,
            quantiles: q,
            targetLagMs: 15 * S,
            minIntervalMs: 10 * S,
            maxIntervalMs: 240 * S,
          });
          expect(delay).toBeGreaterThanOrEqual(10 * S);
          if (elapsedMs >= q[0]!) expect(delay).toBeLessThanOrEqual(240 * S);
          expect(Number.isFinite(delay)).toBe(true);
        },
      ),
    );
  });

  it('scores a plan exactly: its mean lag and checks match following it over the distribution', () => {
    const q = [100, 130, 150, 200, 320, 600].map((s) => s * S);
    const plan = checkPlan({ quantiles: q, targetLagMs: 12 * S, minIntervalMs: 10 * S, maxIntervalMs: 120 * S });
    // Completion times at evenly spaced probabilities, placed through the piecewise-linear CDF.
    const n = 20_000;
    const steps = q.length - 1;
    const done = Array.from({ length: n }, (_, i) => {
      const at = ((i + 0.5) / n) * steps;
      const k = Math.floor(at);
      return q[k]! + (q[k + 1]! - q[k]!) * (at - k);
    });
    const followed = done.map((d) => {
      const i = plan.findIndex((at) => at >= d);
      return { calls: i + 1, lag: plan[i]! - d };
    });
    const exact = planOutcome(q, plan);
    expect(exact.lagMs).toBeCloseTo(12 * S, -2); // the bisection hits the target within 50 ms
    expect(mean(followed.map((r) => r.lag))).toBeCloseTo(exact.lagMs, -2);
    expect(mean(followed.map((r) => r.calls))).toBeCloseTo(exact.checks, 2);
  });

  it('keeps each planned check at least the floor apart, the first one inside the distribution', () => {
    const q = uniformQuantiles(180 * S, 480 * S);
    const plan = checkPlan({ quantiles: q, targetLagMs: 13.5 * S, minIntervalMs: 10 * S, maxIntervalMs: 120 * S });
    expect(plan[0]).toBeGreaterThan(180 * S);
    for (let i = 1; i < plan.length; i++) expect(plan[i]! - plan[i - 1]!).toBeGreaterThanOrEqual(10 * S);
    expect(plan.at(-1)).toBeGreaterThanOrEqual(480 * S);
  });

  it('refuses unusable quantiles', () => {
    expect(isValidQuantiles([1, 2, 3])).toBe(true);
    for (const bad of [[], [5], [3, 2], [1, Number.NaN], [-1, 2], [4, 4, 4], 'x', null]) {
      expect(isValidQuantiles(bad)).toBe(false);
    }
  });
});
