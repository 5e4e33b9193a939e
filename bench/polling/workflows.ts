/**
 * Workflow code of the polling benchmark's worker: the package's own workflows (the `ours`
 * strategy is the real `awaitSeedanceVideo`) and the baselines. Runs in the workflow sandbox.
 *
 * The baselines call the package's real `checkStatus` activity, so every status read goes through
 * the same client to the simulator; they stop at the read that sees the task end and download
 * nothing (the benchmark's lag is measured to that read for every strategy).
 */
import { ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities, TaskSnapshot } from '../../src/activities/types';
import { timingFor } from '../../src/seedance/models';
import type { BenchActivities } from './activities';
import { SCHEDULES, isScheduleName } from './schedules';
import { createTaskOnce } from '../../src/workflows/create-task';

export * from '../../src/workflows';

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'expired']);

// The same timeouts as the package's own checkStatus proxy; retries only for a failed request.
const { checkStatus } = proxyActivities<Pick<Activities, 'checkStatus'>>({
  startToCloseTimeout: '45s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m' },
});

// Temporal's "polling through retries" sample: one activity that fails while the task runs, retried
// at a fixed interval (set per call: the model's documented minimum) for as long as it takes (no
// maximumAttempts: unlimited).
const { checkStatusUntilDone } = proxyActivities<BenchActivities>({
  startToCloseTimeout: '45s',
  retry: { backoffCoefficient: 1, nonRetryableErrorTypes: ['SeedanceTaskNotFound'] },
});

export interface PollOnScheduleInput {
  /** The followed task; empty when the run creates it from `prompt`. */
  taskId: string;
  model: string;
  /** When the task was created (simulator clock = the server's): the loop waits before its first read. */
  createdMs: number;
  /**
   * Create the task first, with the package's create activity (the simulator times it by the
   * prompt), as `ours` does: a task created by the benchmark before the run's first workflow task
   * would age while that task waits for a busy worker, and the lag would count the wait.
   */
  prompt?: string;
  /** A key of SCHEDULES (schedules.ts). */
  schedule: string;
  /** Completion quantiles by `completionKey`, as a worker with `SEEDANCE_SCHEDULE=adaptive` would hand them. */
  completions?: Record<string, number[]>;
}

export interface BenchPollResult {
  status: string;
  /** Status reads as the workflow counts them (the simulator's log is what the benchmark reports). */
  checks: number;
}

/** Sleep as the named schedule says, check, until the task ends (as a loop after a create would). */
export async function pollOnSchedule(input: PollOnScheduleInput): Promise<BenchPollResult> {
  if (!isScheduleName(input.schedule)) {
    throw ApplicationFailure.nonRetryable(`unknown schedule ${input.schedule}`, 'UnknownSchedule');
  }
  const schedule = SCHEDULES[input.schedule];
  const task = await followedTask(input);
  input = { ...input, ...task };
  let checks = 0;
  for (;;) {
    await sleep(
      schedule({
        taskId: input.taskId,
        model: input.model,
        createdMs: input.createdMs,
        nowMs: Date.now(),
        checks,
        ...(input.completions ? { completions: input.completions } : {}),
      }),
    );
    const snapshot: TaskSnapshot = await checkStatus(input.taskId);
    checks += 1;
    if (TERMINAL.has(snapshot.status)) return { status: snapshot.status, checks };
  }
}

/** The task to follow: the given one, or one created now from the prompt. */
async function followedTask(input: {
  taskId: string;
  model: string;
  createdMs?: number;
  prompt?: string;
}): Promise<{ taskId: string; createdMs: number }> {
  if (!input.prompt) return { taskId: input.taskId, createdMs: input.createdMs ?? Date.now() };
  const created = await createTaskOnce({ model: input.model, content: [{ type: 'text', text: input.prompt }] });
  return { taskId: created.taskId, createdMs: created.createdMs };
}

/** One activity, retried by the server at the model's documented minimum interval until the task ends. */
export async function retryAsPoll(input: { taskId: string; model: string; prompt?: string }): Promise<BenchPollResult> {
  input = { ...input, ...(await followedTask(input)) };
  const snapshot = await checkStatusUntilDone.executeWithOptions(
    {
      retry: {
        initialInterval: timingFor(input.model).pollMinMs,
        backoffCoefficient: 1,
        nonRetryableErrorTypes: ['SeedanceTaskNotFound'],
      },
    },
    [input.taskId],
  );
  return { status: snapshot.status, checks: -1 };
}
