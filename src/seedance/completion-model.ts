/**
 * When to check next, from what is known of how long tasks take: a distribution of completion
 * times (quantiles of the fleet's finished tasks, or the documented estimate range when nothing
 * was learned yet), and a target mean detection lag.
 *
 * The spacing is the optimum for "mean lag + cost per call" when checks are frequent compared with
 * the distribution's features: the density of checks at time t is proportional to the square root
 * of the hazard rate h(t) = f(t) / (1 - F(t)), so checks are dense where a task that is still
 * running is likely to finish soon, and sparse elsewhere. The proportionality constant is set so
 * that the mean lag over the distribution is the target: interval(t) = (2 L / I) * sqrt((1-F)/f),
 * with I = integral of sqrt(f (1-F)). A task that outlives the distribution is checked at the
 * documented interval. Pure and deterministic: safe in workflow code.
 */

/** Completion times in ms after creation at evenly spaced probabilities 0, 1/K, ..., 1 (sorted). */
export type CompletionQuantiles = readonly number[];

export interface CheckPlanInput {
  /** ms after creation: how long the task has run now. */
  elapsedMs: number;
  quantiles: CompletionQuantiles;
  /** The mean detection lag to aim at. */
  targetLagMs: number;
  /** Never closer than this (the documented floor). */
  minIntervalMs: number;
  /** Never longer than this. */
  maxIntervalMs: number;
  /** The interval once the task outlives the distribution. @default maxIntervalMs */
  beyondIntervalMs?: number;
}

/** The number of quantiles the fleet's statistics hand to a run (every 5 %). */
export const QUANTILE_STEPS = 20;

/**
 * No interval may pass over more than this share of the probability left: the sqrt-hazard spacing
 * assumes the distribution changes slowly over an interval, and a learned one with a gap (a sparse
 * stretch before its main mass) would otherwise send the next check past the whole mass.
 */
export const MAX_STEP_MASS = 0.3;

/** The time at which the CDF reaches `p` (piecewise linear through the quantiles). */
function timeAtProbability(q: CompletionQuantiles, p: number): number {
  const steps = q.length - 1;
  const at = Math.min(steps, Math.max(0, p * steps));
  const k = Math.min(steps - 1, Math.floor(at));
  return q[k]! + (q[k + 1]! - q[k]!) * (at - k);
}

/** F(t), piecewise linear through the quantiles. */
function probabilityAt(q: CompletionQuantiles, t: number): number {
  const steps = q.length - 1;
  if (t < q[0]!) return 0;
  for (let k = 0; k < steps; k++) {
    if (t < q[k + 1]!) return (k + (t - q[k]!) / Math.max(1e-9, q[k + 1]! - q[k]!)) / steps;
  }
  return 1;
}

/** The longest step from `t` that passes over at most {@link MAX_STEP_MASS} of what is left. */
function massCapMs(q: CompletionQuantiles, t: number): number {
  const p = probabilityAt(q, t);
  return timeAtProbability(q, p + MAX_STEP_MASS * (1 - p)) - t;
}

/** A uniform distribution over [fromMs, toMs] as quantiles: the prior from the documented range. */
export function uniformQuantiles(fromMs: number, toMs: number, steps = QUANTILE_STEPS): number[] {
  return Array.from({ length: steps + 1 }, (_, k) => fromMs + ((toMs - fromMs) * k) / steps);
}

/** Whether `q` is usable: at least two points, finite, non-negative, non-decreasing, with some spread. */
export function isValidQuantiles(q: unknown): q is CompletionQuantiles {
  if (!Array.isArray(q) || q.length < 2) return false;
  for (let i = 0; i < q.length; i++) {
    const v: unknown = q[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return false;
    if (i > 0 && v < (q[i - 1] as number)) return false;
  }
  return (q[q.length - 1] as number) > (q[0] as number);
}

/** sqrt((1-F)/f) at `t`, or undefined outside the distribution's support. */
function spacingShape(q: CompletionQuantiles, t: number): number | undefined {
  const steps = q.length - 1;
  for (let k = 0; k < steps; k++) {
    const lo = q[k]!;
    const hi = q[k + 1]!;
    if (t < lo || t >= hi || hi === lo) continue;
    const density = 1 / steps / (hi - lo);
    const survival = 1 - (k + (t - lo) / (hi - lo)) / steps;
    return Math.sqrt(survival / density);
  }
  return undefined;
}

/**
 * The integral of g(f, 1 - F) over the distribution (piecewise-linear CDF: f is constant on each
 * segment between quantiles), by Simpson's rule per segment.
 */
function integrate(q: CompletionQuantiles, g: (density: number, survival: number) => number): number {
  const steps = q.length - 1;
  let total = 0;
  for (let k = 0; k < steps; k++) {
    const lo = q[k]!;
    const hi = q[k + 1]!;
    if (hi <= lo) continue;
    const density = 1 / steps / (hi - lo);
    const at = (u: number) => g(density, Math.max(0, 1 - (k + u) / steps));
    total += ((hi - lo) / 6) * (at(0) + 4 * at(0.5) + at(1));
  }
  return total;
}

/** I = integral of sqrt(f (1 - F)) over the distribution. */
export function spacingIntegral(q: CompletionQuantiles): number {
  return integrate(q, (density, survival) => Math.sqrt(density * survival));
}

/**
 * The mean lag over the distribution when the interval at t is clip(scale * sqrt((1-F)/f)): the
 * continuous approximation (a task finishing at t waits half the interval there).
 */
function expectedLagMs(q: CompletionQuantiles, scale: number, minMs: number, maxMs: number): number {
  return integrate(q, (density, survival) => {
    const interval = Math.min(maxMs, Math.max(minMs, scale * Math.sqrt(survival / density)));
    return (density * interval) / 2;
  });
}

/**
 * The scale whose clipped spacing has the target mean lag. Without clipping it is 2 L / I; where
 * the floor binds (short tasks, where the sqrt spacing wants checks closer than 10 s) the rest of
 * the distribution is checked more densely to keep the mean, and where even the floor everywhere
 * cannot reach the target, the floor it is.
 */
function scaleForLag(q: CompletionQuantiles, targetLagMs: number, minMs: number, maxMs: number): number {
  let lo = 0;
  let hi = (4 * targetLagMs) / Math.max(spacingIntegral(q), 1e-9) + maxMs;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (expectedLagMs(q, mid, minMs, maxMs) > targetLagMs) hi = mid;
    else lo = mid;
  }
  return lo;
}

/**
 * How long to wait, from `elapsedMs` after creation, before the next check. Before the earliest
 * completion of the distribution: until one interval into it. Within it: the sqrt-hazard spacing
 * for the target lag, bounded. After it: the maximum interval.
 */
export function nextPlannedDelayMs(input: CheckPlanInput): number {
  const { quantiles: q, elapsedMs: t, targetLagMs, minIntervalMs, maxIntervalMs } = input;
  const bound = (ms: number) => Math.round(Math.min(maxIntervalMs, Math.max(minIntervalMs, ms)));
  const first = q[0]!;
  const scale = scaleForLag(q, targetLagMs, minIntervalMs, maxIntervalMs);
  if (t < first) {
    // Nothing can have finished yet: the first check lands one interval into the distribution.
    const step = Math.min(scale * (spacingShape(q, first) ?? 0), massCapMs(q, first));
    return Math.max(minIntervalMs, Math.round(first - t + bound(step)));
  }
  const shape = spacingShape(q, t);
  if (shape === undefined) return input.beyondIntervalMs ?? maxIntervalMs;
  return bound(Math.min(scale * shape, massCapMs(q, t)));
}

/** The statistics key of a task: tasks of one model, resolution and tier take alike long. */
export function completionKey(model: string, resolution?: string | null, serviceTier?: string | null): string {
  return `${model}|${resolution ?? ''}|${serviceTier ?? 'default'}`;
}
