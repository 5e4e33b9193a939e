/**
 * The oracle: the best check schedule for a known distribution of completion times, computed
 * offline (no Temporal). A schedule is a list of check times after creation, the same for every
 * task (the oracle knows the law, not the task); a task is read at each check until one finds it
 * done. For a price `lambda` (seconds of lag one call is worth), dynamic programming over a 1 s
 * grid finds the schedule minimising mean lag + lambda x mean calls, with checks at least 10 s
 * apart (the documented rate-limit floor). Sweeping lambda traces the lower frontier of
 * (calls per video, mean lag); mixing two neighbouring schedules reaches any point on the segment
 * between them, so the frontier is read by linear interpolation.
 */
import { MIN_POLL_INTERVAL_MS } from '../../src/seedance/models';

const MIN_GAP_S = MIN_POLL_INTERVAL_MS / 1000;

export interface FrontierPoint {
  calls: number;
  meanLagS: number;
  p95LagS: number;
  /** The schedule's check times, seconds after creation. */
  checksS: number[];
}

/** The frontier schedules for a distribution given by a large sample `lawS`, each scored on `evaluateS`. */
export function oracleFrontier(lawS: number[], evaluateS: number[], lambdas = defaultLambdas()): FrontierPoint[] {
  const horizon = Math.ceil(Math.max(...lawS));
  // count[g], sum[g]: samples with completion in (g - 1, g]; then prefix sums C, S over the grid.
  const C = new Float64Array(horizon + 2);
  const S = new Float64Array(horizon + 2);
  for (const t of lawS) {
    const g = Math.max(0, Math.ceil(t));
    C[g]! += 1;
    S[g]! += t;
  }
  for (let g = 1; g <= horizon + 1; g++) {
    C[g]! += C[g - 1]!;
    S[g]! += S[g - 1]!;
  }
  const n = lawS.length;
  const points: FrontierPoint[] = [];
  for (const lambda of lambdas) {
    const checksS = bestSchedule(C, S, n, horizon, lambda);
    points.push({ ...score(checksS, evaluateS), checksS });
  }
  return lowerHull(points);
}

/** f[t]: least cost of a schedule whose last check is at t, every task done by t detected. */
function bestSchedule(C: Float64Array, S: Float64Array, n: number, horizon: number, lambda: number): number[] {
  const f = new Float64Array(horizon + 1);
  const from = new Int32Array(horizon + 1);
  // Lag of the tasks done in (s, t], read at t.
  const lag = (s: number, t: number) => t * (C[t]! - C[s]!) - (S[t]! - S[s]!);
  for (let t = 0; t <= horizon; t++) {
    let best = lambda * n + t * C[t]! - S[t]!; // t is the first check: every task pays for it
    let arg = -1;
    for (let s = 0; s <= t - MIN_GAP_S; s++) {
      const cost = f[s]! + lambda * (n - C[s]!) + lag(s, t);
      if (cost < best) {
        best = cost;
        arg = s;
      }
    }
    f[t] = best;
    from[t] = arg;
  }
  const checks: number[] = [];
  for (let t = horizon; t >= 0; t = from[t]!) checks.unshift(t);
  return checks;
}

/** Calls and lag of a schedule on given completion times; past its last check it goes on every 10 s. */
export function score(checksS: number[], completionsS: number[]): { calls: number; meanLagS: number; p95LagS: number } {
  let calls = 0;
  const lags: number[] = [];
  for (const t of completionsS) {
    let i = 0;
    let at = checksS[0]!;
    while (at < t) {
      i += 1;
      at = i < checksS.length ? checksS[i]! : checksS.at(-1)! + MIN_GAP_S * (i - checksS.length + 1);
    }
    calls += i + 1;
    lags.push(at - t);
  }
  return { calls: calls / completionsS.length, meanLagS: mean(lags), p95LagS: percentile(lags, 95) };
}

function defaultLambdas(): number[] {
  return Array.from({ length: 48 }, (_, i) => 0.5 * Math.pow(1.2, i)); // 0.5 s .. ~2,700 s per call
}

/** The points no other point beats in both calls and lag, convex from below, by calls. */
function lowerHull(points: FrontierPoint[]): FrontierPoint[] {
  const sorted = [...points].sort((a, b) => a.calls - b.calls || a.meanLagS - b.meanLagS);
  const hull: FrontierPoint[] = [];
  for (const p of sorted) {
    if (hull.length && hull.at(-1)!.calls === p.calls) continue;
    while (hull.length >= 2) {
      const a = hull.at(-2)!;
      const b = hull.at(-1)!;
      const cross = (b.calls - a.calls) * (p.meanLagS - a.meanLagS) - (b.meanLagS - a.meanLagS) * (p.calls - a.calls);
      if (cross <= 0) hull.pop();
      else break;
    }
    hull.push(p);
  }
  // Past its lowest lag the curve turns up: more calls that buy nothing are never optimal.
  let lowest = 0;
  hull.forEach((p, i) => {
    if (p.meanLagS < hull[lowest]!.meanLagS) lowest = i;
  });
  return hull.slice(0, lowest + 1);
}

/**
 * The oracle's mean lag at a number of calls per video: past the frontier's last point (its least
 * lag) more calls buy nothing, so the lag stays there; NaN below its fewest calls.
 */
export function oracleLagAtCalls(frontier: FrontierPoint[], calls: number): number {
  const last = frontier.at(-1);
  if (last && calls >= last.calls) return last.meanLagS;
  return interpolate(
    frontier.map((p) => [p.calls, p.meanLagS]),
    calls,
  );
}

/**
 * The oracle's calls per video at a mean lag: above the frontier's largest lag its fewest calls;
 * NaN below its least lag (no schedule 10 s apart gets there).
 */
export function oracleCallsAtLag(frontier: FrontierPoint[], lagS: number): number {
  const first = frontier[0];
  if (first && lagS >= first.meanLagS) return first.calls;
  return interpolate(
    frontier.map((p) => [p.meanLagS, p.calls] as [number, number]).sort((a, b) => a[0] - b[0]),
    lagS,
  );
}

function interpolate(xy: [number, number][], x: number): number {
  for (let i = 1; i < xy.length; i++) {
    const [x0, y0] = xy[i - 1]!;
    const [x1, y1] = xy[i]!;
    if (x >= x0 && x <= x1) return x1 === x0 ? Math.min(y0, y1) : y0 + ((x - x0) / (x1 - x0)) * (y1 - y0);
  }
  return Number.NaN;
}

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
}

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
