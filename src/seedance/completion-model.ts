/**
 * When to check next, from what is known of how long tasks take: a distribution of completion
 * times (quantiles of the fleet's finished tasks, or the documented estimate range when nothing
 * was learned yet), and a target mean detection lag.
 *
 * The spacing follows the optimum for "mean lag + cost per call" when checks are frequent compared
 * with the distribution's features: the density of checks at time t is proportional to the square
 * root of the hazard rate h(t) = f(t) / (1 - F(t)), so checks are dense where a task that is still
 * running is likely to finish soon, and sparse elsewhere. The whole plan of check times is built
 * once per distribution and its scale set by bisection so that its exact mean lag over the
 * distribution is the target. A task that outlives the plan is checked at a fixed interval. Pure
 * and deterministic: safe in workflow code.
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

export interface PlanInput {
  quantiles: CompletionQuantiles;
  /** The mean detection lag to aim at. */
  targetLagMs: number;
  /** Never closer than this (the documented floor). */
  minIntervalMs: number;
  /** Never longer than this. */
  maxIntervalMs: number;
}

/** At most this many checks in a plan (a 10 s floor over a distribution of a few hours). */
const MAX_PLAN_CHECKS = 2_000;

/**
 * The check times (ms after creation) for one scale of the sqrt-hazard spacing: the first one
 * interval into the distribution, then each interval bounded by the floor, the cap and
 * {@link MAX_STEP_MASS}, until the distribution's last quantile is covered.
 */
function planForScale(input: PlanInput, scale: number): number[] {
  const { quantiles: q, minIntervalMs, maxIntervalMs } = input;
  const bound = (ms: number) => Math.min(maxIntervalMs, Math.max(minIntervalMs, ms));
  const last = q[q.length - 1]!;
  const step = (t: number) => bound(Math.min(scale * (spacingShape(q, t) ?? maxIntervalMs), massCapMs(q, t)));
  const plan = [q[0]! + step(q[0]!)];
  while (plan[plan.length - 1]! < last && plan.length < MAX_PLAN_CHECKS) {
    const t = plan[plan.length - 1]!;
    plan.push(t + step(t));
  }
  return plan;
}

/**
 * Mean lag and checks per task of a plan over the distribution, exactly (the CDF is piecewise
 * linear, so the lag of the tasks done in a stretch is a sum of quadratics). A task is read at
 * every planned time up to the first one at or past its completion.
 */
export function planOutcome(q: CompletionQuantiles, plan: readonly number[]): { lagMs: number; checks: number } {
  const steps = q.length - 1;
  let lag = 0;
  let checks = 0;
  let from = 0;
  for (const at of plan) {
    checks += 1 - probabilityAt(q, from);
    for (let k = 0; k < steps; k++) {
      const lo = Math.max(q[k]!, from);
      const hi = Math.min(q[k + 1]!, at);
      if (hi <= lo || q[k + 1]! <= q[k]!) continue;
      const density = 1 / steps / (q[k + 1]! - q[k]!);
      lag += (density * ((at - lo) ** 2 - (at - hi) ** 2)) / 2;
    }
    from = at;
  }
  return { lagMs: lag, checks };
}

/**
 * The plan whose mean lag over the distribution is the target (or the least lag the floor allows),
 * found by bisection on the spacing's scale, each candidate scored exactly by {@link planOutcome}.
 * Memoised: a run asks with the same quantiles at every check.
 */
export function checkPlan(input: PlanInput): readonly number[] {
  const { quantiles: q, targetLagMs } = input;
  const key = `${q.join(',')}|${targetLagMs}|${input.minIntervalMs}|${input.maxIntervalMs}`;
  const known = plans.get(key);
  if (known) return known;
  let lo = 0;
  let hi = (4 * targetLagMs) / Math.max(spacingIntegral(q), 1e-9) + input.maxIntervalMs;
  let best = planForScale(input, lo);
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    const plan = planForScale(input, mid);
    if (planOutcome(q, plan).lagMs > targetLagMs) hi = mid;
    else {
      lo = mid;
      best = plan;
    }
  }
  if (plans.size >= PLAN_CACHE_SIZE) plans.clear();
  plans.set(key, best);
  return best;
}

/**
 * Plans already found, by their inputs. A pure function's results, so sharing them between
 * workflows cannot change what any of them computes.
 */
const plans = new Map<string, number[]>();
const PLAN_CACHE_SIZE = 256;

/**
 * How long to wait, from `elapsedMs` after creation, before the next check: until the plan's next
 * check time (see {@link checkPlan}), never under the floor; past the plan's last check, the
 * interval for a task that outlives the distribution.
 */
export function nextPlannedDelayMs(input: CheckPlanInput): number {
  const plan = checkPlan(input);
  const t = input.elapsedMs;
  // A planned time less than half the floor ahead is the one just checked (rounding, a clock a
  // little behind) or one a `checkNow` just took: the next one is due instead.
  const next = plan.find((at) => at > t + input.minIntervalMs / 2);
  if (next === undefined) return input.beyondIntervalMs ?? input.maxIntervalMs;
  return Math.round(Math.max(input.minIntervalMs, next - t));
}

/** The statistics key of a task: tasks of one model, resolution and tier take alike long. */
export function completionKey(model: string, resolution?: string | null, serviceTier?: string | null): string {
  return `${model}|${resolution ?? ''}|${serviceTier ?? 'default'}`;
}
