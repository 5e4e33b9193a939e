/**
 * The polling schedule: when to check a task's status next. Pure functions of their inputs (no
 * clock, no randomness), so workflow code can call them and replay gets the same answers.
 */
import { completionKey, isValidQuantiles, nextPlannedDelayMs, uniformQuantiles } from './completion-model';
import { MIN_POLL_INTERVAL_MS, RETENTION_MS, timingFor, type ServiceTier } from './models';

export interface ScheduleInput {
  taskId: string;
  model?: string | undefined;
  serviceTier?: ServiceTier | undefined;
  /** When the task was created (API `created`, in ms). */
  createdMs: number;
  /** The workflow's current time. */
  nowMs: number;
  /** Status checks made so far. */
  checks: number;
  /** The resolution, where the provider reports it apart from the model (ModelArk). */
  resolution?: string | undefined;
  /** Creates asked the provider to call back: polling is only the fallback for a lost callback. */
  callbacks?: boolean | undefined;
}

/** With callbacks, the fallback polling is this many times sparser than the documented interval. */
export const CALLBACK_POLL_FACTOR = 4;

/**
 * How long to wait before the next status check.
 *
 * - Spaced by the documented interval of the model (480p 10-20 s, 720p/1080p 30-60 s, flex
 *   60-120 s; unknown models 30-60 s), never under 10 s.
 * - Spread across workflows with a deterministic jitter from (taskId, checks), so a thousand tasks
 *   created together do not check in lockstep.
 * - No check before the model's earliest estimated finish: a 1080p task is not checked during its
 *   first three minutes, whatever the interval.
 * - With callbacks, the interval is {@link CALLBACK_POLL_FACTOR} times longer: the callback wakes
 *   the run (through `checkNow`), and polling only covers a callback that never came.
 */
export function nextCheckDelayMs(input: ScheduleInput): number {
  const timing = timingFor(input.model, input.serviceTier, input.resolution);
  const spread = timing.pollMaxMs - timing.pollMinMs;
  const factor = input.callbacks ? CALLBACK_POLL_FACTOR : 1;
  const interval = factor * (timing.pollMinMs + Math.floor(spread * jitter(input.taskId, input.checks)));
  const untilEarliestFinish = input.createdMs + timing.estimatedMinMs - input.nowMs;
  // A skewed remote clock (created in our future) must not stretch the wait past the estimate.
  const boundedEarliest = Math.min(untilEarliestFinish, timing.estimatedMinMs);
  return Math.max(MIN_POLL_INTERVAL_MS, interval, boundedEarliest);
}

/** The adaptive schedule aims at this share of the documented minimum interval's mean lag (half of it). */
export const ADAPTIVE_LAG_SHARE = 0.95;

/**
 * The adaptive schedule (`SEEDANCE_SCHEDULE=adaptive`): checks spaced by the distribution of
 * completion times, dense where a task still running is likely to finish (see
 * `../seedance/completion-model`). The distribution is what the fleet learned for this model,
 * resolution and tier (quantiles recorded with the worker settings), or the documented estimate
 * range where it learned too little. The mean lag aims a little under polling at the documented
 * minimum interval; never under 10 s; a task that outlives the distribution is checked at the
 * documented minimum interval. A small deterministic jitter spreads workflows.
 */
export function adaptiveDelayMs(
  input: ScheduleInput & { completions: Readonly<Record<string, readonly number[]>> },
): number {
  const timing = timingFor(input.model, input.serviceTier, input.resolution);
  const learned = input.completions[completionKey(input.model ?? '', input.resolution, input.serviceTier)];
  const quantiles = isValidQuantiles(learned)
    ? learned
    : uniformQuantiles(timing.estimatedMinMs, Math.max(timing.estimatedMaxMs, timing.estimatedMinMs + 1));
  // Each task runs the plan on a clock 2 % faster or slower than the next (from its id): tasks
  // created together do not check in lockstep, and each still follows the whole plan.
  const dilation = 0.98 + 0.04 * jitter(input.taskId, 0);
  const planned = nextPlannedDelayMs({
    elapsedMs: Math.max(0, input.nowMs - input.createdMs) / dilation,
    quantiles,
    targetLagMs: (ADAPTIVE_LAG_SHARE * timing.pollMinMs) / 2,
    minIntervalMs: MIN_POLL_INTERVAL_MS,
    maxIntervalMs: 2 * timing.pollMaxMs,
    beyondIntervalMs: timing.pollMinMs,
  });
  return Math.max(MIN_POLL_INTERVAL_MS, Math.round(planned * dilation));
}

/**
 * The delay a run's schedule picks: the adaptive schedule where the run was handed completion
 * quantiles (`SEEDANCE_SCHEDULE=adaptive`), the documented one otherwise; and the documented one,
 * sparse, for a task that calls back whatever the schedule (the callback is the signal).
 */
export function scheduledDelayMs(
  input: ScheduleInput & { completions?: Readonly<Record<string, readonly number[]>> | undefined },
): number {
  const { completions, ...facts } = input;
  return completions && !facts.callbacks ? adaptiveDelayMs({ ...facts, completions }) : nextCheckDelayMs(facts);
}

/** A number in [0, 1) from the task id and the check count: FNV-1a, then scaled. */
export function jitter(taskId: string, checks: number): number {
  let hash = 0x811c9dc5;
  const key = `${taskId}#${checks}`;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000;
}

/** The default deadline: long past any documented generation time, well inside retention. */
export const DEFAULT_DEADLINE_MS = 6 * 60 * 60 * 1000;

/** Time kept in reserve before retention ends, so a deadline always leaves time to download. */
export const DOWNLOAD_RESERVE_MS = 60 * 60 * 1000;

/**
 * The moment the workflow gives up waiting, measured from the task's creation: the requested
 * deadline, but never later than the provider's retention of the task (the reseller's one day,
 * ModelArk's seven) minus a reserve for the download.
 */
export function deadlineAtMs(
  createdMs: number,
  deadlineMs: number = DEFAULT_DEADLINE_MS,
  retentionMs: number = RETENTION_MS,
): number {
  return createdMs + Math.min(deadlineMs, retentionMs - DOWNLOAD_RESERVE_MS);
}

/** How long past a provider's own expiry of a task we still look for its `expired` status. */
export const EXPIRY_GRACE_MS = 10 * 60 * 1000;

export interface TaskDeadlineInput {
  createdMs: number;
  deadlineMs: number;
  /** The input named the deadline (then it wins over the provider's expiry). */
  deadlineExplicit: boolean;
  /** The provider's retention of the task's record; default the reseller's day. */
  retentionMs?: number | undefined;
  /** When the provider itself expires the task if still queued or running (ModelArk). */
  expiresAtMs?: number | undefined;
}

/**
 * The run's deadline. Without a deadline in the input, a task the provider expires on its own
 * (ModelArk's `execution_expires_after`, 48 h by default) is followed until a little past that
 * expiry, so the run ends with the provider's `expired` rather than our guess; otherwise
 * {@link deadlineAtMs}. Never past the provider's retention minus the download reserve.
 */
export function taskDeadlineAtMs(input: TaskDeadlineInput): number {
  const retentionMs = input.retentionMs ?? RETENTION_MS;
  if (input.deadlineExplicit || input.expiresAtMs === undefined) {
    return deadlineAtMs(input.createdMs, input.deadlineMs, retentionMs);
  }
  return Math.min(input.expiresAtMs + EXPIRY_GRACE_MS, input.createdMs + retentionMs - DOWNLOAD_RESERVE_MS);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration like `"90s"`, `"15m"`, `"2h"`, `"1h30m"` or a number of milliseconds.
 * Returns undefined for anything else (the caller turns that into a typed input error).
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  const text = value.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, , unit] of text.matchAll(/(\d+(\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(amount) * UNIT_MS[unit as string]!;
  }
  return Number.isFinite(total) && Math.round(total) > 0 ? Math.round(total) : undefined;
}
