/**
 * The heart of both workflows: follow one Seedance task to its end. Check its status, sleep on a
 * durable timer sized by the model, check again; on `completed` hand off to `downloadVideo`.
 *
 * Runs in the workflow sandbox: `Date.now()` is workflow time, timers are server-side.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  CancellationScope,
  TimeoutFailure,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, TaskSnapshot } from '../activities/types';
import { FailureType, NON_RETRYABLE_TYPES } from '../contract/failures';
import { nonRetryable } from './failure';
import { RETENTION_MS, type ServiceTier } from '../seedance/models';
import { StatusTracker } from './status-tracker';
import { defaultFileName } from '../storage/file-name';
import { deadlineAtMs, nextCheckDelayMs } from './schedule';
import type { SeedanceVideoResult, StoredVideo } from '../contract/types';
import type { CarriedState } from './carried-state';

// Status checks are cheap GETs: retried with backoff for as long as the deadline allows (set per
// call). TRY_CANCEL: a `cancel` signal must not wait for an in-flight GET to finish.
const { checkStatus } = proxyActivities<Activities>({
  startToCloseTimeout: '45s',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    nonRetryableErrorTypes: [...NON_RETRYABLE_TYPES],
  },
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

// Downloads heartbeat every second while the worker lives, bytes moving or not (the worker sends
// them on every 2 s at most), so a 10 s heartbeat timeout means "the worker died or froze": the
// retry starts within seconds and resumes from the heartbeated offset. A slow file host is caught
// by the activity's own idle and low-speed limits, not by this timeout. WAIT_CANCELLATION_COMPLETED:
// on cancel the activity deletes its partial file before the workflow is allowed to end.
const { downloadVideo } = proxyActivities<Activities>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: '10s',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    nonRetryableErrorTypes: [...NON_RETRYABLE_TYPES],
  },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

// Cleanup after a cancelled download, run in a non-cancellable scope: short, idempotent.
const { discardPartialDownload } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 3 },
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

/** patched() id: the cleanup activity after a cancelled download (added after v0.1.0 histories). */
export const DISCARD_PARTIALS_ON_CANCEL = 'discard-partials-on-cancel';

// A local activity: asked once per run, answered from the worker's cache, recorded as a marker.
const { searchAttributesSupported } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 3 },
});

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
  /** Creates the task first (generate); its snapshot counts as the first check. */
  create?: () => Promise<TaskSnapshot>;
  /** State from the previous run, after continue-as-new. */
  carried?: CarriedState;
  /** Internal (tests): continue as new past this many events instead of HISTORY_EVENTS_BEFORE_CONTINUE. */
  historyEventsBeforeContinue?: number;
  /** Continues the workflow as new with the given state (each workflow knows its own input). */
  continueWith: (state: CarriedState) => Promise<never>;
}

/** Follows the task until its video is stored, or a typed failure. */
export async function followTask(options: FollowOptions): Promise<SeedanceVideoResult> {
  const tracker = new StatusTracker(options.taskId ?? null, options.model ?? null);
  return tracker.run(() => new TaskFollower(options, tracker).follow());
}

class TaskFollower {
  private taskId: string;
  private model: string | undefined;
  private createdMs: number | undefined;
  private deadlineAt = Number.POSITIVE_INFINITY;
  private lastSnapshot: TaskSnapshot | undefined;
  /** Checks made by this run (the carried count includes earlier runs'). */
  private checksThisRun = 0;

  constructor(
    private readonly options: FollowOptions,
    private readonly tracker: StatusTracker,
  ) {
    this.taskId = options.taskId ?? '';
    this.model = options.model;
    const carried = options.carried;
    if (carried) {
      this.model = carried.model;
      this.createdMs = carried.createdMs;
      this.deadlineAt = carried.deadlineAtMs;
      tracker.status.checks = carried.checks;
      tracker.status.model = carried.model;
      tracker.status.lastCheckedAt = carried.lastCheckedAtMs === null ? null : iso(carried.lastCheckedAtMs);
      tracker.status.remoteStatus = carried.remoteStatus ?? null;
      tracker.searchAttributes = carried.searchAttributes;
    }
  }

  async follow(): Promise<SeedanceVideoResult> {
    const { carried, create } = this.options;
    if (!carried) this.tracker.searchAttributes = await searchAttributesSupported();
    let snapshot: TaskSnapshot | undefined;
    if (create) {
      snapshot = await create();
      this.taskId = snapshot.taskId;
      this.tracker.status.taskId = snapshot.taskId;
    } else if (!carried) {
      snapshot = await this.check();
    }
    if (snapshot) this.learn(snapshot);
    for (;;) {
      if (snapshot) {
        if (snapshot.status === 'completed') return this.download(snapshot);
        if (snapshot.status === 'failed') this.failRemote(snapshot);
        if (snapshot.status === 'cancelled') this.cancelledRemote(snapshot);
      }
      if (Date.now() >= this.deadlineAt) this.timeOut();
      await this.continueAsNewIfLong();
      await this.waitForNextCheck();
      snapshot = await this.check();
      this.learn(snapshot);
    }
  }

  private learn(snapshot: TaskSnapshot): void {
    this.lastSnapshot = snapshot;
    if (this.createdMs === undefined) {
      this.createdMs = snapshot.createdMs;
      this.deadlineAt = deadlineAtMs(snapshot.createdMs, this.options.deadlineMs);
    }
    const modelChanged = this.model !== snapshot.model;
    const statusChanged = this.tracker.status.remoteStatus !== snapshot.status;
    this.model = snapshot.model;
    this.tracker.status.model = snapshot.model;
    this.tracker.status.remoteStatus = snapshot.status;
    if (statusChanged || modelChanged) {
      log.info('task status', { taskId: snapshot.taskId, status: snapshot.status, model: snapshot.model });
      if (snapshot.status === 'queued' || snapshot.status === 'processing') this.tracker.upsert(snapshot.status);
    }
  }

  private get fileName(): string {
    return this.options.fileName ?? defaultFileName(this.taskId);
  }

  private async check(): Promise<TaskSnapshot> {
    const { status } = this.tracker;
    status.phase = 'checking';
    status.nextCheckAt = null;
    setCurrentDetails(`Checking the status of Seedance task ${this.taskId} (check ${status.checks + 1})`);
    const remaining = Number.isFinite(this.deadlineAt) ? this.deadlineAt - Date.now() : RETENTION_MS;
    try {
      const snapshot = await checkStatus.executeWithOptions(
        {
          // Retries (5xx, 429, timeouts) stop at the deadline; the first check gets at least a minute.
          scheduleToCloseTimeout: Math.max(remaining, 60_000),
          summary: `Check status of ${this.taskId}`,
        },
        [this.taskId],
      );
      status.checks += 1;
      this.checksThisRun += 1;
      status.lastCheckedAt = iso(Date.now());
      return snapshot;
    } catch (error) {
      if (error instanceof ActivityFailure && error.cause instanceof TimeoutFailure && Date.now() >= this.deadlineAt) {
        this.timeOut();
      }
      throw error;
    }
  }

  private async waitForNextCheck(): Promise<void> {
    const now = Date.now();
    const delay = nextCheckDelayMs({
      taskId: this.taskId,
      model: this.model,
      serviceTier: this.options.serviceTier,
      createdMs: this.createdMs ?? now,
      nowMs: now,
      checks: this.tracker.status.checks,
    });
    // The last wait ends at the deadline, so the final check happens right there.
    const wait = Math.max(1, Math.min(delay, this.deadlineAt - now));
    const { status } = this.tracker;
    status.phase = 'waiting';
    status.nextCheckAt = iso(now + wait);
    const remote = status.remoteStatus ?? 'unknown';
    setCurrentDetails(
      `Seedance task ${this.taskId} is ${remote}; next status check at ${status.nextCheckAt} (${this.model ?? 'model unknown'})`,
    );
    this.tracker.checkNowRequested = false;
    await condition(() => this.tracker.checkNowRequested, wait, {
      summary: `Wait ${Math.round(wait / 1000)} s before checking ${this.taskId} (${remote})`,
    });
    this.tracker.checkNowRequested = false;
  }

  private async download(snapshot: TaskSnapshot): Promise<SeedanceVideoResult> {
    const { status } = this.tracker;
    status.phase = 'downloading';
    status.download = { bytes: 0, totalBytes: null };
    status.nextCheckAt = null;
    this.tracker.upsert('downloading');
    setCurrentDetails(`Downloading the video of Seedance task ${snapshot.taskId} to ${this.fileName}`);
    // The signed URL expires with the task, one day after creation: retrying longer is pointless.
    const untilExpiry = snapshot.createdMs + RETENTION_MS - Date.now();
    let video: StoredVideo;
    try {
      video = await downloadVideo.executeWithOptions(
        {
          scheduleToCloseTimeout: Math.max(untilExpiry, 10 * 60_000),
          summary: `Download the video of ${snapshot.taskId} to ${this.fileName}`,
        },
        [{ taskId: snapshot.taskId, fileName: this.fileName }],
      );
    } catch (error) {
      if (isCancellation(error)) {
        delete status.download;
        // A cancel that lands while the download waits between retries finds no attempt running
        // to delete its partial file: remove it here, before the workflow ends.
        if (patched(DISCARD_PARTIALS_ON_CANCEL)) {
          const input = { taskId: snapshot.taskId, fileName: this.fileName };
          await CancellationScope.nonCancellable(() =>
            discardPartialDownload
              .executeWithOptions({ summary: `Remove partial downloads of ${snapshot.taskId}` }, [input])
              .catch(() => 0),
          );
        }
      }
      throw error;
    }
    status.phase = 'completed';
    status.download = { bytes: video.bytes, totalBytes: video.bytes };
    this.tracker.upsert('completed');
    setCurrentDetails(`Stored ${video.bytes} bytes at ${video.uri}`);
    log.info('video stored', { taskId: snapshot.taskId, uri: video.uri, bytes: video.bytes, sha256: video.sha256 });
    return {
      taskId: snapshot.taskId,
      model: snapshot.model,
      status: 'completed',
      actualDuration: snapshot.actualDuration,
      video,
      checks: status.checks,
    };
  }

  private failRemote(snapshot: TaskSnapshot): never {
    this.tracker.status.phase = 'failed';
    this.tracker.upsert('failed');
    const reason = snapshot.error ?? 'no error message';
    setCurrentDetails(`Seedance task ${snapshot.taskId} failed: ${reason}`);
    throw nonRetryable(FailureType.TaskFailed, `Seedance task ${snapshot.taskId} failed: ${reason}`, {
      taskId: snapshot.taskId,
      error: snapshot.error,
    });
  }

  private cancelledRemote(snapshot: TaskSnapshot): never {
    this.tracker.status.phase = 'failed';
    this.tracker.upsert('cancelled');
    setCurrentDetails(`Seedance task ${snapshot.taskId} was cancelled by the provider`);
    throw nonRetryable(FailureType.TaskCancelled, `Seedance task ${snapshot.taskId} was cancelled remotely`, {
      taskId: snapshot.taskId,
    });
  }

  private timeOut(): never {
    this.tracker.status.phase = 'failed';
    this.tracker.upsert('timed_out');
    const last = this.lastSnapshot?.status ?? 'unknown';
    setCurrentDetails(`Gave up on Seedance task ${this.taskId}: deadline passed while ${last}`);
    throw nonRetryable(
      FailureType.TaskTimedOut,
      `Seedance task ${this.taskId} was still ${last} at its deadline (${iso(this.deadlineAt)})`,
      { taskId: this.taskId, deadline: iso(this.deadlineAt), lastStatus: last },
    );
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
    if (this.checksThisRun === 0 || this.tracker.scope.consideredCancelled) return;
    const state: CarriedState = {
      taskId: this.taskId,
      createdMs: this.createdMs!,
      checks: this.tracker.status.checks,
      model: this.model ?? this.lastSnapshot?.model ?? 'unknown',
      deadlineAtMs: this.deadlineAt,
      searchAttributes: this.tracker.searchAttributes,
      lastCheckedAtMs: this.tracker.status.lastCheckedAt === null ? null : Date.parse(this.tracker.status.lastCheckedAt),
      remoteStatus: this.tracker.status.remoteStatus,
    };
    log.info('continuing as new', { taskId: this.taskId, historyLength: info.historyLength, checks: state.checks });
    await this.options.continueWith(state);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

