/**
 * The run's face: what a run shows and hears. It installs the `status` query and the `cancel`,
 * `checkNow` and `downloadProgress` signals first thing in a run, so they work at every point. The
 * follow loop moves it through named transitions, each setting the query's phase, the
 * `SeedanceStatus` search attribute and the current details in one place. And it turns the run's
 * end into the workflow's outcome.
 *
 * Search-attribute upserts are commands in history: a transition that upserts must stay where it
 * is relative to the activities and timers around it.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { TaskSnapshot } from '../activities/types';
import { FailureType } from '../contract/failures';
import { nonRetryable } from './failure';
import {
  SeedanceModelKey,
  SeedanceStatusKey,
  SeedanceTaskIdKey,
  cancelSignal,
  checkNowSignal,
  downloadProgressSignal,
  statusQuery,
} from '../contract/definitions';
import type {
  CheckNowInput,
  RemoteCancelReport,
  SeedanceStatusValue,
  SeedanceVideoStatus,
  StoredVideo,
  TaskStatus,
} from '../contract/types';
import type { CarriedState } from './carried-state';
import type { CheckNowBudget } from './check-now-budget';

export class RunFace {
  private readonly status: SeedanceVideoStatus;
  private readonly scope = new CancellationScope();
  private cancelReason: string | undefined;
  private checkNow = false;
  /** The `checkNow` that woke this wait relayed a `completed` callback. */
  private completedHint = false;
  private upserts = false;
  /** Bounds the reads `checkNow` signals cause (runs recorded before the budget have none). */
  private checkNowBudget: CheckNowBudget | undefined;

  constructor(taskId: string | null, model: string | null, carried?: CarriedState) {
    this.status = {
      phase: 'checking',
      taskId,
      model,
      remoteStatus: null,
      checks: 0,
      lastCheckedAt: null,
      nextCheckAt: null,
    };
    setHandler(statusQuery, () => this.status);
    setHandler(checkNowSignal, (input) => this.onCheckNow(input));
    setHandler(cancelSignal, (input) => {
      if (this.cancelReason !== undefined) return;
      this.cancelReason = boundedReason(input?.reason);
      log.info('cancel signal received', { taskId: this.status.taskId, reason: this.cancelReason });
      this.scope.cancel();
    });
    setHandler(downloadProgressSignal, (progress) => {
      if (this.status.phase === 'downloading') this.status.download = progress;
    });
    if (carried) {
      this.status.checks = carried.checks;
      this.status.model = carried.model;
      this.status.lastCheckedAt = carried.lastCheckedAtMs === null ? null : iso(carried.lastCheckedAtMs);
      this.status.remoteStatus = carried.remoteStatus ?? null;
      this.upserts = carried.searchAttributes;
    }
  }

  /** Checks made so far, by earlier runs too. */
  get checks(): number {
    return this.status.checks;
  }

  /** The model, once known (from the input, a snapshot or the previous run). */
  get model(): string | undefined {
    return this.status.model ?? undefined;
  }

  get remoteStatus(): TaskStatus | null {
    return this.status.remoteStatus;
  }

  get lastCheckedAtMs(): number | null {
    return this.status.lastCheckedAt === null ? null : Date.parse(this.status.lastCheckedAt);
  }

  /** Whether the namespace has the search attributes: without them an upsert blocks the run. */
  get searchAttributes(): boolean {
    return this.upserts;
  }

  /** A `checkNow` signal arrived since the run started `waiting`. */
  get checkNowRequested(): boolean {
    return this.checkNow;
  }

  /** A `checkNow` within the budget, since the run started `waiting`, said the task completed. */
  get completedHintAccepted(): boolean {
    return this.completedHint;
  }

  /** A cancel (signal or request) arrived: the next `await` in the run's scope ends it. */
  get cancelRequested(): boolean {
    return this.scope.consideredCancelled;
  }

  /** From now on, `checkNow` signals wake the run only within this budget. */
  limitCheckNow(budget: CheckNowBudget): void {
    this.checkNowBudget = budget;
  }

  private onCheckNow(input: CheckNowInput | undefined): void {
    const hint = typeof input === 'object' && input !== null ? input : undefined;
    if (!this.checkNowBudget) {
      this.checkNow = true;
      return;
    }
    // Only a waiting run can be woken; a signal during a check or a download is spent on nothing.
    if (this.status.phase !== 'waiting') return;
    const verdict = this.checkNowBudget.consider(hint, this.status.taskId, Date.now());
    if (verdict === 'check') {
      this.checkNow = true;
      if (hint?.status === 'completed') this.completedHint = true;
    } else
      log.info('checkNow ignored', { taskId: this.status.taskId, why: verdict, source: hint?.source ?? 'operator' });
  }

  useSearchAttributes(supported: boolean): void {
    this.upserts = supported;
  }

  taskCreated(taskId: string): void {
    this.status.taskId = taskId;
  }

  checking(taskId: string): void {
    this.status.phase = 'checking';
    this.status.nextCheckAt = null;
    setCurrentDetails(`Checking the status of Seedance task ${taskId} (check ${this.status.checks + 1})`);
  }

  checked(atMs: number): void {
    this.status.checks += 1;
    this.status.lastCheckedAt = iso(atMs);
  }

  /** What a snapshot (a check's or the create's) says; a running task's new status is upserted. */
  record(snapshot: TaskSnapshot): void {
    const modelChanged = this.status.model !== snapshot.model;
    const statusChanged = this.status.remoteStatus !== snapshot.status;
    this.status.model = snapshot.model;
    this.status.remoteStatus = snapshot.status;
    if (!statusChanged && !modelChanged) return;
    log.info('task status', { taskId: snapshot.taskId, status: snapshot.status, model: snapshot.model });
    if (snapshot.status === 'queued' || snapshot.status === 'processing') this.upsert(snapshot.status);
  }

  waiting(taskId: string, nextCheckAtMs: number): void {
    const when = clockTime(nextCheckAtMs);
    this.startWait(iso(nextCheckAtMs), `next status check at ${when} (check ${this.status.checks + 1})`, taskId);
  }

  /**
   * Waiting inside a `pollStatus` activity: the server retries its read on the schedule, so the
   * next check's time is the activity's next attempt (shown by `temporal workflow describe`).
   */
  polling(taskId: string): void {
    const checks = this.status.checks;
    this.startWait(
      null,
      `the pollStatus activity checks it on the schedule (${checks} ${checks === 1 ? 'check' : 'checks'} so far;` +
        ' its next attempt, under Pending Activities, is the next check)',
      taskId,
    );
  }

  /** A wait begins: only `checkNow` signals from now on can wake it. */
  private startWait(nextCheckAt: string | null, what: string, taskId: string): void {
    this.status.phase = 'waiting';
    this.status.nextCheckAt = nextCheckAt;
    const model = this.status.model ?? 'model not known yet';
    setCurrentDetails(`Seedance task ${taskId} (${model}) is ${this.status.remoteStatus ?? 'unknown'}; ${what}`);
    this.checkNow = false;
    this.completedHint = false;
  }

  downloading(taskId: string, fileName: string): void {
    this.status.phase = 'downloading';
    this.status.download = { bytes: 0, totalBytes: null };
    this.status.nextCheckAt = null;
    this.upsert('downloading');
    setCurrentDetails(`Downloading the video of Seedance task ${taskId} to ${fileName}`);
  }

  /** The download was cancelled: no progress to show any more. */
  downloadAbandoned(): void {
    delete this.status.download;
  }

  stored(video: StoredVideo): void {
    this.status.phase = 'completed';
    this.status.download = { bytes: video.bytes, totalBytes: video.bytes };
    this.upsert('completed');
    setCurrentDetails(`Stored ${video.bytes} bytes at ${video.uri}`);
  }

  failWithRemoteFailure(snapshot: TaskSnapshot): never {
    const code = snapshot.errorCode ? ` (${snapshot.errorCode})` : '';
    const message = `Seedance task ${snapshot.taskId} failed: ${snapshot.error ?? 'no error message'}${code}`;
    return this.end('failed', FailureType.TaskFailed, message, remoteErrorDetails(snapshot));
  }

  failWithRemoteExpiry(snapshot: TaskSnapshot): never {
    const why = snapshot.error ?? 'still queued or running at its expiry time';
    const message = `Seedance task ${snapshot.taskId} expired: ${why}`;
    return this.end('expired', FailureType.TaskExpired, message, remoteErrorDetails(snapshot));
  }

  failWithRemoteCancel(snapshot: TaskSnapshot): never {
    const message = `Seedance task ${snapshot.taskId} was cancelled remotely`;
    const shown = `Seedance task ${snapshot.taskId} was cancelled by the provider`;
    return this.end('cancelled', FailureType.TaskCancelled, message, { taskId: snapshot.taskId }, shown);
  }

  /** `lastStatus`: what this run last saw of the task ('unknown' if nothing yet). */
  failAtDeadline(taskId: string, deadlineAtMs: number, lastStatus: string): never {
    const deadline = iso(deadlineAtMs);
    const message = `Seedance task ${taskId} was still ${lastStatus} at its deadline (${deadline})`;
    const shown = `Gave up on Seedance task ${taskId}: deadline passed while ${lastStatus}`;
    return this.end('timed_out', FailureType.TaskTimedOut, message, { taskId, deadline, lastStatus }, shown);
  }

  /** Ends the run failed: the query's phase, the search attribute, the Web UI's details, the typed failure. */
  private end(
    value: SeedanceStatusValue,
    type: FailureType,
    message: string,
    details: Record<string, unknown>,
    shown = message,
  ): never {
    this.status.phase = 'failed';
    this.upsert(value);
    setCurrentDetails(shown);
    throw nonRetryable(type, message, details);
  }

  /**
   * Runs `body` in the cancellable scope and turns its end into the workflow's outcome: our
   * `cancel` signal becomes `SeedanceWorkflowCancelled`, a workflow cancel request stays a
   * cancellation (the run ends Canceled), activity failures keep their type. On a cancel,
   * `cancelRemote` (if given) stops the remote task where the provider can, outside the cancelled
   * scope; what it did goes into the failure's details, the `status` query and the current details.
   */
  async run<T>(body: () => Promise<T>, cancelRemote?: () => Promise<RemoteCancelReport | undefined>): Promise<T> {
    try {
      return await this.scope.run(body);
    } catch (error) {
      // Not an end: the next run takes over, and this run's `status` answers no more queries.
      if (error instanceof ContinueAsNew) throw error;
      if (isCancellation(error)) {
        const remote = cancelRemote ? await CancellationScope.nonCancellable(cancelRemote) : undefined;
        this.cancelled(remote);
        if (this.cancelReason !== undefined && !CancellationScope.current().consideredCancelled) {
          const remoteWords = remote ? `; ${describeRemoteCancel(remote)}` : '';
          throw nonRetryable(FailureType.WorkflowCancelled, `cancelled by signal: ${this.cancelReason}${remoteWords}`, {
            reason: this.cancelReason,
            ...(remote ? { remoteTask: remote } : {}),
          });
        }
        throw error;
      }
      if (this.status.phase !== 'completed') this.status.phase = 'failed';
      throw asWorkflowFailure(error);
    }
  }

  private cancelled(remote: RemoteCancelReport | undefined): void {
    this.status.phase = 'cancelled';
    if (remote) this.status.remoteCancel = remote;
    this.upsert('cancelled');
    const remoteWords = remote ? `; ${describeRemoteCancel(remote)}` : '';
    setCurrentDetails(`Cancelled${this.cancelReason ? `: ${this.cancelReason}` : ''}${remoteWords}`);
    if (remote) log.info('remote task after cancel', { ...remote });
  }

  private upsert(value: SeedanceStatusValue): void {
    if (!this.upserts) return;
    const { taskId, model } = this.status;
    upsertSearchAttributes([
      ...(taskId ? [{ key: SeedanceTaskIdKey, value: taskId }] : []),
      ...(model ? [{ key: SeedanceModelKey, value: model }] : []),
      { key: SeedanceStatusKey, value },
    ]);
  }
}

/** Re-throws an activity's typed failure as the workflow's own, so callers see its type at the top. */
export function asWorkflowFailure(error: unknown): unknown {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type) {
    return ApplicationFailure.create({
      type: error.cause.type,
      message: error.cause.message,
      nonRetryable: true,
      details: error.cause.details as unknown[] | undefined,
      cause: error,
    });
  }
  return error;
}

/** The details of a failure the provider reported: the task, its message and code. */
function remoteErrorDetails(snapshot: TaskSnapshot): Record<string, unknown> {
  return {
    taskId: snapshot.taskId,
    error: snapshot.error,
    ...(snapshot.errorCode ? { code: snapshot.errorCode } : {}),
  };
}

/** What a cancel did to the remote task, in words for the Web UI. */
export function describeRemoteCancel(remote: RemoteCancelReport): string {
  const task = remote.taskId ? `remote task ${remote.taskId}` : 'no remote task yet';
  if (remote.cancelled) return `${task} was stopped while queued (not rendered, not billed)`;
  if (!remote.taskId) return task;
  if (remote.status === 'processing') return `${task} was already rendering and could not be stopped`;
  if (remote.status) return `${task} was already ${remote.status} and was left as it is`;
  return `${task} could not be reached to stop it`;
}

function boundedReason(reason: unknown): string {
  if (typeof reason !== 'string' || reason.trim() === '') return 'no reason given';
  return reason.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 500);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `13:16:11 UTC`: a wait between checks is minutes long, so the time of day is what a reader needs. */
function clockTime(ms: number): string {
  return `${iso(ms).slice(11, 19)} UTC`;
}
