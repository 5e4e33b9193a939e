/**
 * The strategies the benchmark runs side by side, each as real workflows on the time-skipping
 * server. `ours` is the package's `awaitSeedanceVideo`, unchanged; every schedule of SCHEDULES
 * (schedules.ts) is a strategy through the generic `pollOnSchedule` workflow; `retry-as-poll` is
 * Temporal's sample pattern. The oracle is not here: it is computed offline (oracle.ts).
 */
import { SCHEDULES } from './schedules';

export interface Strategy {
  name: string;
  workflowType: string;
  /** `learned`: quantiles of the cell's distribution, as the fleet would have learned them. */
  args(task: { taskId: string; model: string; learned?: Record<string, number[]> }): unknown[];
  /** Whether the run downloads the video after detecting it (then it also heartbeats). */
  downloads: boolean;
  describe: string;
}

const OURS: Strategy = {
  name: 'ours',
  workflowType: 'awaitSeedanceVideo',
  args: ({ taskId }) => [{ taskId }],
  downloads: true,
  describe: "the package's awaitSeedanceVideo (nextCheckDelayMs), which then downloads",
};

const RETRY_AS_POLL: Strategy = {
  name: 'retry-as-poll',
  workflowType: 'retryAsPoll',
  args: ({ taskId, model }) => [{ taskId, model }],
  downloads: false,
  describe: 'one activity failing while the task runs, retried every documented minimum interval',
};

const SCHEDULE_DESCRIPTIONS: Record<string, string> = {
  'fixed-min': 'a check every documented minimum interval (480p 10 s, 720p/1080p 30 s) from creation',
  'fixed-10s': 'a check every 10 s from creation',
  adaptive: 'SEEDANCE_SCHEDULE=adaptive before it has learned anything: the sqrt-hazard plan over the documented range',
};

/** The adaptive schedule once the worker has learned: quantiles of 200 other tasks of the same distribution. */
const ADAPTIVE_LEARNED: Strategy = {
  name: 'adaptive-learned',
  workflowType: 'pollOnSchedule',
  args: ({ taskId, model, learned }) => [{ taskId, model, schedule: 'adaptive', completions: learned ?? {} }],
  downloads: false,
  describe:
    'SEEDANCE_SCHEDULE=adaptive after the worker has seen 200 other tasks of the same distribution (their quantiles)',
};

export function allStrategies(): Strategy[] {
  const scheduled = Object.keys(SCHEDULES).map((name): Strategy => ({
    name,
    workflowType: 'pollOnSchedule',
    args: ({ taskId, model }) => [{ taskId, model, schedule: name }],
    downloads: false,
    describe: SCHEDULE_DESCRIPTIONS[name] ?? `pollOnSchedule with the schedule ${name}`,
  }));
  return [OURS, ...scheduled, ADAPTIVE_LEARNED, RETRY_AS_POLL];
}

/** The strategies named in a comma-separated list (all when empty). */
export function selectStrategies(list: string | undefined): Strategy[] {
  const all = allStrategies();
  if (!list?.trim()) return all;
  const names = list.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length)
    throw new Error(`unknown strategies ${unknown.join(', ')}; known: ${all.map((s) => s.name).join(', ')}`);
  return all.filter((s) => names.includes(s.name));
}
