/**
 * The schedules the benchmark's generic strategy workflow (`pollOnSchedule`) can follow, by name.
 * Bundled into workflow code: pure functions of their input, no Node imports.
 *
 * To benchmark a new schedule from src/workflows (e.g. the lead's next `nextCheckDelayMs`), add
 * one line here, `'ours-v2': nextCheckDelayMsV2,`: it becomes a strategy of `npm run bench:polling`
 * (pick a subset with BENCH_POLL_STRATEGIES=ours,ours-v2,fixed-min).
 */
import { MIN_POLL_INTERVAL_MS, timingFor } from '../../src/seedance/models';
import { adaptiveDelayMs, type ScheduleInput } from '../../src/seedance/schedule';

/** What a schedule knows: the workflow's input, and the completion quantiles a worker handed it (adaptive). */
export type BenchScheduleInput = ScheduleInput & { completions?: Readonly<Record<string, readonly number[]>> };

/** How long to wait before the next status check, from what the workflow knows (as `nextCheckDelayMs`). */
export type ScheduleFunction = (input: BenchScheduleInput) => number;

/** A check every documented minimum interval of the model (480p 10 s, 720p/1080p 30 s), from creation. */
function fixedAtDocumentedMinimum(input: ScheduleInput): number {
  return timingFor(input.model, input.serviceTier, input.resolution).pollMinMs;
}

/** A check every 10 s, the documented floor, whatever the model. */
function fixedTenSeconds(): number {
  return MIN_POLL_INTERVAL_MS;
}

/**
 * `SEEDANCE_SCHEDULE=adaptive`: the sqrt-hazard plan over the completion quantiles given (the
 * learned ones), or over the documented range when none are.
 */
function adaptive(input: BenchScheduleInput): number {
  return adaptiveDelayMs({ ...input, completions: input.completions ?? {} });
}

export const SCHEDULES = {
  'fixed-min': fixedAtDocumentedMinimum,
  'fixed-10s': fixedTenSeconds,
  adaptive,
} satisfies Record<string, ScheduleFunction>;

export type ScheduleName = keyof typeof SCHEDULES;

export function isScheduleName(name: string): name is ScheduleName {
  return Object.prototype.hasOwnProperty.call(SCHEDULES, name);
}
