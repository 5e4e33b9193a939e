/**
 * The strategies the benchmark runs side by side, each as real workflows on the time-skipping
 * server. `ours` is the package's `generateSeedanceVideo`, unchanged: it creates the task (the
 * simulator gives it the drawn completion time) and follows it; `ours-learned` is the same on a
 * worker that has already seen 500 tasks of the distribution. Every schedule of SCHEDULES
 * (schedules.ts) is a strategy through the generic `pollOnSchedule` workflow, which follows a task
 * created at its start as a user's loop would (wait, then read); `retry-as-poll` is Temporal's
 * sample pattern. The oracle is not here: it is computed offline (oracle.ts).
 */
import { SCHEDULES } from './schedules';

export interface Strategy {
  name: string;
  workflowType: string;
  /**
   * `learned`: quantiles of the cell's distribution, as the fleet would have learned them; `prompt`:
   * what a strategy that creates its task asks for (the simulator times the task by it).
   */
  args(task: {
    taskId: string;
    model: string;
    createdMs: number;
    prompt: string;
    learned?: Record<string, number[]>;
  }): unknown[];
  /** The workflow creates its own task (through the API) instead of following one the benchmark added. */
  creates?: boolean;
  /** Runs on a worker that has learned the cell's distribution (one per distribution). */
  learnedWorker?: boolean;
  /** Runs on a worker that hands out nothing learned (the documented range), however many tasks ended. */
  coldWorker?: boolean;
  /** Whether the run downloads the video after detecting it (then it also heartbeats). */
  downloads: boolean;
  describe: string;
}

const OURS: Strategy = {
  name: 'ours',
  workflowType: 'generateSeedanceVideo',
  args: ({ model, prompt }) => [{ request: { model, content: [{ type: 'text', text: prompt }] } }],
  creates: true,
  coldWorker: true,
  downloads: true,
  describe:
    "the package's generateSeedanceVideo with its default schedule, on a worker that has learned nothing yet (the documented range), which then downloads",
};

const OURS_LEARNED: Strategy = {
  ...OURS,
  name: 'ours-learned',
  coldWorker: false,
  learnedWorker: true,
  describe:
    'the same on a worker that has seen 500 other tasks of the distribution (its workerSettings hand out their quantiles)',
};

const RETRY_AS_POLL: Strategy = {
  name: 'retry-as-poll',
  workflowType: 'retryAsPoll',
  args: ({ model, prompt }) => [{ taskId: '', model, prompt }],
  creates: true,
  downloads: false,
  describe: 'one activity failing while the task runs, retried every documented minimum interval',
};

const SCHEDULE_DESCRIPTIONS: Record<string, string> = {
  'fixed-min': 'a check every documented minimum interval (480p 10 s, 720p/1080p 30 s) from creation',
  'fixed-10s': 'a check every 10 s from creation',
  adaptive: 'the adaptive schedule before it has learned anything: the plan over the documented range',
};

/** The adaptive schedule once the worker has learned: quantiles of 200 other tasks of the same distribution. */
const ADAPTIVE_LEARNED: Strategy = {
  name: 'adaptive-learned',
  workflowType: 'pollOnSchedule',
  args: ({ model, prompt, learned }) => [
    { taskId: '', model, createdMs: 0, prompt, schedule: 'adaptive', completions: learned ?? {} },
  ],
  creates: true,
  downloads: false,
  describe: 'the adaptive schedule given the quantiles of 500 other tasks of the same distribution',
};

export function allStrategies(): Strategy[] {
  const scheduled = Object.keys(SCHEDULES).map((name): Strategy => ({
    name,
    workflowType: 'pollOnSchedule',
    args: ({ model, prompt }) => [{ taskId: '', model, createdMs: 0, prompt, schedule: name }],
    creates: true,
    downloads: false,
    describe: SCHEDULE_DESCRIPTIONS[name] ?? `pollOnSchedule with the schedule ${name}`,
  }));
  return [OURS, OURS_LEARNED, ...scheduled, ADAPTIVE_LEARNED, RETRY_AS_POLL];
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
