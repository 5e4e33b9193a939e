/**
 * The heart of both workflows: follow one Seedance task to its end. Wait as the schedule says and
 * check its status until it ends (a durable timer to the next check, then one `pollStatus` activity
 * whose attempts are the checks, retried by the server after each planned delay; runs from before
 * `poll-by-retries` sleep on a timer before every `checkStatus`); on `completed` hand off to
 * `downloadVideo`. What the run shows (query, search attribute, details) moves through
 * {@link RunFace}'s transitions.
 *
 * Runs in the workflow sandbox: `Date.now()` is workflow time, timers and retries are server-side.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  condition,
  isCancellation,
  log,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  PollStatusInput,
  PollStatusResult,
  ProviderSettings,
  StoredVideoWithFrame,
  TaskSnapshot,
} from '../activities/types';
import { RETENTION_MS, type ServiceTier } from '../seedance/models';
import { defaultFileName } from '../storage/file-name';
import { FailureType } from '../contract/failures';
import type { RemoteCancelReport, SeedanceVideoResult } from '../contract/types';
import {
  API_TASK_QUEUE_PATCH,
  cancelRemoteTask,
  checkStatus,
  discardPartialDownload,
  downloadVideo,
  pollStatus,
  searchAttributesSupported,
  workerSettings,
} from './activity-options';
import type { CarriedState } from './carried-state';
import { CheckNowBudget } from './check-now-budget';
import { RunFace } from './run-face';
import { scheduledDelayMs, taskDeadlineAtMs } from '../seedance/schedule';
import { countVideoEnd, recordVideoStored } from './video-metrics';

/** patched() id: the cleanup activity after a cancelled download (added after v0.1.0 histories). */
export const DISCARD_PARTIALS_ON_CANCEL = 'discard-partials-on-cancel';

/** patched() id: `checkNow` signals wake the run only within a budget (added after v0.1.1 histories). */
export const CHECK_NOW_BUDGET_PATCH = 'check-now-budget';

/**
 * patched() id: a `completed` callback goes straight to the download, whose own status read
 * confirms it, instead of a check first (one activity less per video; after v0.2.0 histories).
 */
export const DOWNLOAD_ON_COMPLETED_HINT = 'download-on-completed-hint';

/**
 * patched() id: the wait between checks is one `pollStatus` activity whose attempts are the checks,
 * retried by the server on the schedule, instead of a timer and a `checkStatus` per check (half the
 * billable actions; after v0.2.0 histories).
 */
export const POLL_BY_RETRIES = 'poll-by-retries';

/**
 * Above this many history events the run continues as new, whatever the server suggests. One check
 * cycle is about 11 events, so this is about 180 checks: three hours of flex-tier polling.
 */
const HISTORY_EVENTS_BEFORE_CONTINUE = 2_000;

export interface FollowOptions {
  /** The task to follow; absent when `create` makes it. */
  taskId?: string;
  model: string | undefined;
  /** Default: `<taskId>.mp4`. */
  fileName?: string | undefined;
  serviceTier: ServiceTier;
  deadlineMs: number;
  /** The input named the deadline; otherwise a provider's own expiry of the task sets it. */
  deadlineExplicit?: boolean;
  /** Creates the task first (generate); its snapshot counts as the first check. */
  create?: (apiTaskQueue: string | undefined) => Promise<TaskSnapshot>;
  /** State from the previous run, after continue-as-new. */
  carried?: CarriedState;
  /** Internal (tests): continue as new past this many events instead of HISTORY_EVENTS_BEFORE_CONTINUE. */
  historyEventsBeforeContinue?: number;
  /** Internal (tests): a poll returns after this many reads instead of READS_PER_POLL. */
  readsPerPoll?: number;
  /** Continues the workflow as new with the given state (each workflow knows its own input). */
  continueWith: (state: CarriedState) => Promise<never>;
}

/** What one wait ends in: the snapshot of the check that ended it, or the stored video (a callback's download). */
type Step = { result: SeedanceVideoResult } | { snapshot: TaskSnapshot };

/**
 * A wait's poll returns the task's status after this many reads even while it runs, so the run's
 * query and search attribute catch up (one action more per this many checks) and the attempt count
 * stays small.
 */
const READS_PER_POLL = 20;

/** A poll's schedule-to-close past the deadline: the read at the deadline must fit. */
const POLL_CLOSE_MARGIN_MS = 5 * 60_000;

/** Follows the task until its video is stored, or a typed failure. */
export async function followTask(options: FollowOptions): Promise<SeedanceVideoResult> {
  const face = new RunFace(options.taskId ?? null, options.model ?? null, options.carried);
  const follower = new TaskFollower(options, face);
  return countVideoEnd(
    () => face.model,
    () =>
      face.run(
        () => follower.follow(),
        () => follower.cancelRemote(),
      ),
  );
}

class TaskFollower {
  private taskId: string;
  private createdMs: number | undefined;
  private deadlineAt = Number.POSITIVE_INFINITY;
  /** What this run last saw of the task (nothing yet, right after continue-as-new). */
  private lastSnapshot: TaskSnapshot | undefined;
  /** Checks made by this run (the face's count includes earlier runs'). */
  private checksThisRun = 0;
  /** Where API calls go: null for the workflow's own queue; undefined in runs from before the patch. */
  private apiTaskQueue: string | null | undefined;
  /** What the provider can do; undefined in runs recorded before providers (the reseller). */
  private provider: ProviderSettings | undefined;
  /** The task's resolution, where the provider reports it apart from the model (ModelArk). */
  private resolution: string | undefined;
  /**
   * The provider calls back on this task's status changes: this run created it with callbacks on.
   * A task created elsewhere (`awaitSeedanceVideo`) may never call back, so it is polled as usual.
   */
  private callsBack = false;
  /** `SEEDANCE_SCHEDULE=adaptive`: the completion quantiles the worker handed this run. */
  private completions: Record<string, number[]> | undefined;
  /** A `completed` callback starts the download without a check (see DOWNLOAD_ON_COMPLETED_HINT). */
  private downloadsOnHint = false;
  /** The wait between checks is one `pollStatus` activity (see POLL_BY_RETRIES). */
  private pollsByRetries = false;

  constructor(
    private readonly options: FollowOptions,
    private readonly face: RunFace,
  ) {
    this.taskId = options.taskId ?? '';
    if (options.carried) {
      this.createdMs = options.carried.createdMs;
      this.deadlineAt = options.carried.deadlineAtMs;
      this.apiTaskQueue = options.carried.apiTaskQueue;
      this.provider = options.carried.provider;
      this.resolution = options.carried.resolution;
      this.callsBack = options.carried.callsBack ?? false;
      this.completions = options.carried.completions;
    }
  }

  async follow(): Promise<SeedanceVideoResult> {
    const { carried, create } = this.options;
    if (patched(CHECK_NOW_BUDGET_PATCH)) this.face.limitCheckNow(new CheckNowBudget(Date.now()));
    // Asked here, in the run's first workflow task with the other markers: one billable action for all.
    this.downloadsOnHint = patched(DOWNLOAD_ON_COMPLETED_HINT);
    this.pollsByRetries = patched(POLL_BY_RETRIES);
    if (!carried) await this.askWorker();
    let snapshot: TaskSnapshot | undefined;
    if (create) {
      snapshot = await create(this.apiTaskQueue ?? undefined);
      this.callsBack = this.provider?.callbacks ?? false;
      this.taskId = snapshot.taskId;
      this.face.taskCreated(snapshot.taskId);
    } else if (!carried) {
      snapshot = await this.check();
    }
    if (snapshot) this.record(snapshot);
    for (;;) {
      if (snapshot?.status === 'completed') return this.download(snapshot);
      if (snapshot?.status === 'failed') this.face.failWithRemoteFailure(snapshot);
      if (snapshot?.status === 'cancelled') this.face.failWithRemoteCancel(snapshot);
      if (snapshot?.status === 'expired') this.face.failWithRemoteExpiry(snapshot);
      if (Date.now() >= this.deadlineAt) this.failAtDeadline();
      await this.continueAsNewIfLong();
      const step = this.pollsByRetries ? await this.pollUntilEnd() : await this.waitThenCheck();
      if ('result' in step) return step.result;
      snapshot = step.snapshot;
      this.record(snapshot);
    }
  }

  /** Before `poll-by-retries`: a timer, then one check (or the download a callback asked for). */
  private async waitThenCheck(): Promise<Step> {
    await this.waitForNextCheck();
    return this.afterWake();
  }

  /**
   * A timer to the next check, then one `pollStatus` activity: the server retries its read on the
   * schedule until the task ends (or the deadline's read, or READS_PER_POLL reads). A `checkNow`
   * ends the wait at once: the timer or the activity is cancelled (between attempts that is
   * immediate) and the run checks, or downloads on a `completed` callback.
   */
  private async pollUntilEnd(): Promise<Step> {
    // The wait before the first check is a durable timer (an attempt that only waited would still
    // take a turn of the API queue's rate); the checks after it are the poll's attempts.
    await this.waitForNextCheck();
    if (this.face.checkNowRequested) return this.afterWake();
    const now = Date.now();
    if (now >= this.deadlineAt) return { snapshot: await this.check() };
    const input: PollStatusInput = {
      taskId: this.taskId,
      createdMs: this.createdMs ?? now,
      model: this.face.model ?? undefined,
      serviceTier: this.lastSnapshot?.serviceTier ?? this.options.serviceTier,
      resolution: this.resolution,
      callbacks: this.callsBack,
      completions: this.completions,
      checks: this.face.checks,
      lastCheckedAtMs: this.face.lastCheckedAtMs,
      deadlineAtMs: this.deadlineAt,
      maxReads: this.options.readsPerPoll ?? READS_PER_POLL,
    };
    this.face.polling(this.taskId);
    const scope = new CancellationScope();
    const poll = scope.run(() =>
      pollStatus.executeWithOptions(
        {
          // Room for the read at the deadline itself.
          scheduleToCloseTimeout: Math.max(this.deadlineAt - now + POLL_CLOSE_MARGIN_MS, 60_000),
          summary: `Check ${this.taskId} until it ends, on the schedule (${this.face.remoteStatus ?? 'unknown'})`,
          ...this.apiQueueOption(),
        },
        [input],
      ),
    );
    const woken = scope.run(() => condition(() => this.face.checkNowRequested));
    poll.catch(() => undefined);
    woken.catch(() => undefined);
    let outcome: PollStatusResult | undefined;
    try {
      outcome = await Promise.race([poll, woken.then(() => undefined)]);
    } catch (error) {
      if (error instanceof ActivityFailure && error.cause instanceof TimeoutFailure && Date.now() >= this.deadlineAt) {
        this.failAtDeadline();
      }
      throw error;
    } finally {
      scope.cancel();
    }
    if (!outcome) return this.afterWake();
    for (let i = 0; i < outcome.reads; i++) this.face.checked(Date.now());
    this.checksThisRun += outcome.reads;
    return { snapshot: outcome.snapshot };
  }

  /** Woken by `checkNow`: check at once, or download on a `completed` callback (its read confirms it). */
  private async afterWake(): Promise<Step> {
    if (this.downloadsOnHint && this.face.completedHintAccepted && this.lastSnapshot) {
      return this.downloadOnHint(this.lastSnapshot);
    }
    return { snapshot: await this.check() };
  }

  /**
   * A callback said the task completed: download at once; the download's own status read confirms
   * it. A task not completed after all (a premature or forged callback) comes back as the snapshot
   * that read saw, and the run goes on as after a check.
   */
  private async downloadOnHint(last: TaskSnapshot): Promise<Step> {
    try {
      return { result: await this.download(last, { confirm: true }) };
    } catch (error) {
      const seen = notCompletedSnapshot(error);
      if (!seen) throw error;
      this.face.downloadAbandoned();
      this.face.checked(Date.now());
      this.checksThisRun += 1;
      log.info('completed callback not confirmed', { taskId: seen.taskId, status: seen.status });
      return { snapshot: seen };
    }
  }

  private record(recorded: TaskSnapshot): void {
    const snapshot = onWorkflowClock(recorded);
    this.lastSnapshot = snapshot;
    if (snapshot.resolution) this.resolution = snapshot.resolution;
    if (this.createdMs === undefined) {
      this.createdMs = snapshot.createdMs;
      this.deadlineAt = taskDeadlineAtMs({
        createdMs: snapshot.createdMs,
        deadlineMs: this.options.deadlineMs,
        deadlineExplicit: this.options.deadlineExplicit ?? false,
        retentionMs: this.provider?.recordRetentionMs,
        expiresAtMs: snapshot.expiresAtMs,
      });
    }
    this.face.record(snapshot);
  }

  private get fileName(): string {
    return this.options.fileName ?? defaultFileName(this.taskId);
  }

  private async check(): Promise<TaskSnapshot> {
    this.face.checking(this.taskId);
    const remaining = Number.isFinite(this.deadlineAt) ? this.deadlineAt - Date.now() : RETENTION_MS;
    try {
      const snapshot = await checkStatus.executeWithOptions(
        {
          // Retries (5xx, 429, timeouts) stop at the deadline; the first check gets at least a minute.
          scheduleToCloseTimeout: Math.max(remaining, 60_000),
          summary: `Check status of ${this.taskId}`,
          ...this.apiQueueOption(),
        },
        // The adaptive schedule's worker dates completions by the previous check.
        this.completions ? [this.taskId, { lastCheckedAtMs: this.face.lastCheckedAtMs }] : [this.taskId],
      );
      this.face.checked(Date.now());
      this.checksThisRun += 1;
      return snapshot;
    } catch (error) {
      if (error instanceof ActivityFailure && error.cause instanceof TimeoutFailure && Date.now() >= this.deadlineAt) {
        this.failAtDeadline();
      }
      throw error;
    }
  }

  private async waitForNextCheck(): Promise<void> {
    const now = Date.now();
    const delay = this.plannedDelayMs(now);
    // The last wait ends at the deadline, so the final check happens right there.
    const wait = Math.max(1, Math.min(delay, this.deadlineAt - now));
    this.face.waiting(this.taskId, now + wait);
    const remote = this.face.remoteStatus ?? 'unknown';
    await condition(() => this.face.checkNowRequested, wait, {
      summary: `Wait ${Math.round(wait / 1000)} s before checking ${this.taskId} (${remote})`,
    });
  }

  /** How long the schedule waits from `now` before the next check. */
  private plannedDelayMs(now: number): number {
    const scheduleInput = {
      taskId: this.taskId,
      model: this.face.model,
      serviceTier: this.lastSnapshot?.serviceTier ?? this.options.serviceTier,
      ...(this.resolution ? { resolution: this.resolution } : {}),
      ...(this.callsBack ? { callbacks: true } : {}),
      createdMs: this.createdMs ?? now,
      nowMs: now,
      checks: this.face.checks,
    };
    return scheduledDelayMs({ ...scheduleInput, completions: this.completions });
  }

  private async download(snapshot: TaskSnapshot, options: { confirm?: boolean } = {}): Promise<SeedanceVideoResult> {
    const input = {
      taskId: snapshot.taskId,
      fileName: this.fileName,
      model: snapshot.model,
      ...(snapshot.hasLastFrame ? { lastFrame: true } : {}),
      ...(options.confirm ? { confirm: true } : {}),
    };
    this.face.downloading(input.taskId, input.fileName);
    // Retrying past the signed URL's expiry is pointless (reseller: one day after creation).
    const untilExpiry = (snapshot.videoUrlExpiresAtMs ?? snapshot.createdMs + RETENTION_MS) - Date.now();
    let video: StoredVideoWithFrame;
    try {
      video = await downloadVideo.executeWithOptions(
        {
          scheduleToCloseTimeout: Math.max(untilExpiry, 10 * 60_000),
          summary: `Download the video of ${input.taskId} to ${input.fileName}`,
          ...this.apiQueueOption(),
        },
        [input],
      );
    } catch (error) {
      if (isCancellation(error)) {
        this.face.downloadAbandoned();
        // A cancel that lands while the download waits between retries finds no attempt running
        // to delete its partial file: remove it here, before the workflow ends.
        if (patched(DISCARD_PARTIALS_ON_CANCEL)) {
          await CancellationScope.nonCancellable(() =>
            discardPartialDownload
              .executeWithOptions({ summary: `Remove partial downloads of ${input.taskId}` }, [input])
              .catch(() => 0),
          );
        }
      }
      throw error;
    }
    const { lastFrame, task: confirmed, ...stored } = video;
    // A download sent on a callback read the status itself: that read is this run's last check.
    const seen = confirmed ?? snapshot;
    if (confirmed) {
      this.face.checked(Date.now());
      this.checksThisRun += 1;
      this.face.record(confirmed);
    }
    this.face.stored(stored);
    recordVideoStored(seen.model, this.createdMs);
    log.info('video stored', { taskId: seen.taskId, uri: video.uri, bytes: video.bytes, sha256: video.sha256 });
    return {
      taskId: seen.taskId,
      model: seen.model,
      status: 'completed',
      actualDuration: seen.actualDuration,
      video: stored,
      checks: this.face.checks,
      ...(seen.usage ? { usage: seen.usage } : {}),
      ...(lastFrame ? { lastFrame } : {}),
    };
  }

  /**
   * After a cancel: stops the remote task where the provider can, only while it is queued (a
   * DELETE of a started or finished ModelArk task is refused or removes its record). Nothing is
   * sent when this run last saw the task rendering or done; the report says so.
   */
  async cancelRemote(): Promise<RemoteCancelReport | undefined> {
    if (!this.provider?.cancel) return undefined;
    const taskId = this.taskId === '' ? null : this.taskId;
    const last = this.face.remoteStatus; // what the last snapshot said, in this run or the one before
    if (taskId === null) return { taskId, attempted: false, cancelled: false, status: null };
    if (last !== null && last !== 'queued') return { taskId, attempted: false, cancelled: false, status: last };
    try {
      const outcome = await cancelRemoteTask.executeWithOptions(
        { summary: `Cancel remote task ${taskId} if still queued`, ...this.apiQueueOption() },
        [taskId],
      );
      return { taskId, attempted: true, ...outcome };
    } catch (error) {
      log.warn('remote cancel failed', { taskId, error: error instanceof Error ? error.message : 'unknown' });
      return { taskId, attempted: true, cancelled: false, status: null };
    }
  }

  private failAtDeadline(): never {
    return this.face.failAtDeadline(this.taskId, this.deadlineAt, this.lastSnapshot?.status ?? 'unknown');
  }

  /** Asks the worker once per workflow (carried after that) about search attributes and the API queue. */
  private async askWorker(): Promise<void> {
    if (patched(API_TASK_QUEUE_PATCH)) {
      const settings = await workerSettings();
      this.face.useSearchAttributes(settings.searchAttributes);
      this.apiTaskQueue = settings.apiTaskQueue;
      this.provider = settings.provider;
      if (settings.schedule?.kind === 'adaptive') this.completions = settings.schedule.completions;
    } else {
      this.face.useSearchAttributes(await searchAttributesSupported());
    }
  }

  /** The calls that reach the provider's API (status, create, the download's URL read) go to the API queue. */
  private apiQueueOption(): { taskQueue?: string } {
    return this.apiTaskQueue ? { taskQueue: this.apiTaskQueue } : {};
  }

  /**
   * Continues as new when the server suggests it or the history passed our own threshold. Never
   * in a run that has not checked yet (a threshold below one cycle would otherwise loop through
   * empty runs), and never once a cancel arrived: the next `await` in the cancelled scope ends the
   * run, and a new run would not know it was cancelled.
   */
  private async continueAsNewIfLong(): Promise<void> {
    const info = workflowInfo();
    const limit = this.options.historyEventsBeforeContinue ?? HISTORY_EVENTS_BEFORE_CONTINUE;
    if (!info.continueAsNewSuggested && info.historyLength < limit) return;
    if (this.checksThisRun === 0 || this.face.cancelRequested) return;
    const { face } = this;
    // A run that checked has recorded a snapshot, so the model is known.
    const state: CarriedState = {
      taskId: this.taskId,
      createdMs: this.createdMs!,
      checks: face.checks,
      model: face.model ?? 'unknown',
      deadlineAtMs: this.deadlineAt,
      searchAttributes: face.searchAttributes,
      lastCheckedAtMs: face.lastCheckedAtMs,
      remoteStatus: face.remoteStatus,
      ...(this.apiTaskQueue !== undefined ? { apiTaskQueue: this.apiTaskQueue } : {}),
      ...(this.provider ? { provider: this.provider } : {}),
      ...(this.resolution ? { resolution: this.resolution } : {}),
      ...(this.callsBack ? { callsBack: true } : {}),
      ...(this.completions ? { completions: this.completions } : {}),
    };
    log.info('continuing as new', { taskId: this.taskId, historyLength: info.historyLength, checks: state.checks });
    await this.options.continueWith(state);
  }
}

/** The status read of a download sent on a callback that found the task not completed, if that is the error. */
function notCompletedSnapshot(error: unknown): TaskSnapshot | undefined {
  if (!(error instanceof ActivityFailure) || !(error.cause instanceof ApplicationFailure)) return undefined;
  if (error.cause.type !== FailureType.TaskNotCompleted) return undefined;
  return error.cause.details?.[0] as TaskSnapshot | undefined;
}

/**
 * A snapshot whose times are the worker's clock (a create that answered only an id) moved onto
 * the workflow's clock, as of now, right after the create: a worker whose clock is off (or the
 * time-skipping test server, whose clock runs ahead) must not shift the run's deadline.
 */
function onWorkflowClock(snapshot: TaskSnapshot): TaskSnapshot {
  if (!snapshot.localTimes) return snapshot;
  const shift = Date.now() - snapshot.createdMs;
  return {
    ...snapshot,
    createdMs: snapshot.createdMs + shift,
    ...(snapshot.expiresAtMs !== undefined ? { expiresAtMs: snapshot.expiresAtMs + shift } : {}),
  };
}
