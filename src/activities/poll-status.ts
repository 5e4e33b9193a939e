/**
 * `pollStatus`: the wait between checks as one activity whose attempts are the checks. Each
 * attempt reads the task's status once; while the task runs, the attempt fails (as BENIGN: a
 * running task is no error) with a `nextRetryDelay` the schedule picks, so the server itself
 * waits and retries. The run pays one billable action per check instead of a timer plus an
 * activity, and its history holds one activity for the whole wait.
 *
 * This is Temporal's "infrequent polling" pattern, with the package's schedule deciding each
 * delay. Each read is dated by the server's clock as the worker reads it (`clock`): the attempt's
 * own `currentAttemptScheduledTimestampMs` cannot serve, since servers differ on it (the
 * time-skipping test server gives the time the retry was decided, not the time it was due).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { TaskStatus } from '../contract/types';
import { scheduledDelayMs } from '../seedance/schedule';
import type { CheckContext, PollStatusInput, PollStatusResult, TaskSnapshot } from './types';

/** The shortest wait between two reads of one poll. */
const MIN_DELAY_MS = 1_000;

/** The failure type of an attempt that found the task still running: retried, never an error. */
export const TASK_RUNNING_TYPE = 'SeedanceTaskRunning';

const FINAL: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'cancelled', 'expired']);

export function makePollStatus(
  checkStatus: (taskId: string, context?: CheckContext) => Promise<TaskSnapshot>,
  clock: () => number | Promise<number>,
) {
  /** Server time of each task's last read on this worker, to date a completion between two reads. */
  const lastReadAt = new Map<string, number>();
  return async function pollStatus(input: PollStatusInput): Promise<PollStatusResult> {
    const { info } = Context.current();
    // A server clock ahead of the worker's (the time-skipping test server without `clock`) shows
    // in the attempt's schedule time: never date a read before it.
    const nowMs = Math.max(await clock(), info.currentAttemptScheduledTimestampMs);
    const reads = info.attempt;
    const snapshot = await checkStatus(input.taskId, {
      lastCheckedAtMs: lastReadAt.get(input.taskId) ?? input.lastCheckedAtMs ?? null,
      readAtMs: nowMs,
    });
    remember(lastReadAt, input.taskId, nowMs);
    if (FINAL.has(snapshot.status) || nowMs >= input.deadlineAtMs || reads >= input.maxReads) {
      lastReadAt.delete(input.taskId);
      return { snapshot, reads };
    }
    const planned = scheduledDelayMs({
      taskId: input.taskId,
      model: snapshot.model,
      serviceTier: snapshot.serviceTier ?? input.serviceTier,
      resolution: snapshot.resolution ?? input.resolution,
      callbacks: input.callbacks,
      createdMs: input.createdMs,
      nowMs,
      checks: input.checks + reads,
      completions: input.completions,
    });
    // The last read lands on the deadline, as the timer loop's did.
    const delay = Math.max(MIN_DELAY_MS, Math.min(planned, input.deadlineAtMs - nowMs));
    throw running(`task ${input.taskId} is ${snapshot.status} (check ${input.checks + reads})`, delay);
  };
}

function running(what: string, delayMs: number): ApplicationFailure {
  return ApplicationFailure.create({
    type: TASK_RUNNING_TYPE,
    message: `${what}; next check in ${Math.round(delayMs / 1000)} s`,
    nextRetryDelay: Math.max(MIN_DELAY_MS, Math.round(delayMs)),
    category: ApplicationFailureCategory.BENIGN,
  });
}

function remember(map: Map<string, number>, taskId: string, atMs: number): void {
  map.delete(taskId);
  map.set(taskId, atMs);
  if (map.size > 10_000) map.delete(map.keys().next().value!);
}
