/**
 * The download's reports to Temporal while it runs:
 * - `checkpoint`: heartbeat what the sink made durable (local: fsync, then the partial file and its
 *   offset), so that a heartbeat (what the next attempt resumes from) never points at bytes that
 *   are not stored;
 * - `keepAlive`: a liveness heartbeat every second that repeats the last checkpoint;
 * - `reportProgress`: a best-effort signal that feeds the workflow's `status` query.
 */
import type { Context } from '@temporalio/activity';
import { downloadProgressSignal } from '../contract/definitions';
import type { DownloadCheckpoint, VideoSink } from '../storage/sink';
import type { DownloadPolicy } from './dependencies';

/** Liveness heartbeat period while no byte moves (the SDK throttles what it sends on). */
const LIVENESS_INTERVAL_MS = 1_000;
/** With nothing to resume yet, the first liveness heartbeat waits this long for a checkpoint (timeout 10 s). */
const FIRST_LIVENESS_WAIT_MS = 5_000;

/** Where the download stands: this attempt's sink, and what the host said about the file. */
export interface DownloadPosition {
  sink: VideoSink;
  etag: string | null;
  totalBytes: number | null;
}

export type CheckpointIntervals = Pick<DownloadPolicy, 'checkpointIntervalMs' | 'progressIntervalMs'>;

export class Checkpointer {
  /** The last checkpoint of the previous attempt, if any: where this attempt resumes. */
  readonly prior: DownloadCheckpoint | undefined;
  /** What the last heartbeat pointed at: re-sent by the liveness heartbeat, never anything newer. */
  private last: DownloadCheckpoint | undefined;
  /**
   * Starts with the attempt: the first checkpoint is due one interval in (at once only for a sink
   * that asks for it), so a download shorter than that sends no heartbeat: each is a billable
   * action. The liveness heartbeat starts at that second too, well inside the heartbeat timeout.
   */
  private lastCheckpointAt = Date.now();
  private checkpointed = false;
  private readonly startedAt = Date.now();
  /** The checkpoint `checkpointIfDue` started, while it runs. */
  private running: Promise<void> | undefined;
  /** A checkpoint that failed: every later one fails with it. */
  private failure: { error: unknown } | undefined;
  /**
   * Starts with the attempt: a download shorter than one interval sends no progress signal (each
   * costs a workflow task).
   */
  private lastProgressAt = Date.now();

  constructor(
    private readonly context: Context,
    private readonly intervals: CheckpointIntervals,
  ) {
    const details: unknown = context.info.heartbeatDetails;
    this.prior = isDownloadCheckpoint(details) ? details : undefined;
    this.last = this.prior;
  }

  /**
   * Heartbeats every second until stopped, also while no byte moves (connecting, hashing a prefix,
   * verifying): the heartbeat timeout then catches only a dead or frozen worker, and a slow host
   * is left to the idle and low-speed limits. Returns the function that stops it.
   */
  keepAlive(): () => void {
    const timer = setInterval(() => {
      // The SDK sends the first heartbeat at once and throttles the next ones: an empty liveness
      // heartbeat must not take that slot from the first checkpoint, due at the same second. It
      // waits for one until half the heartbeat timeout, then keeps the attempt alive regardless.
      if (this.last === undefined && Date.now() - this.startedAt < FIRST_LIVENESS_WAIT_MS) return;
      this.context.heartbeat(this.last);
    }, LIVENESS_INTERVAL_MS);
    return () => clearInterval(timer);
  }

  /**
   * Heartbeats the sink's durable checkpoint, never its `offset`: bytes accepted but not yet
   * durable (not fsynced, or an S3 part not yet uploaded) are not there for the next attempt.
   * Waits for a checkpoint under way first, and throws if it failed.
   */
  async checkpoint(position: DownloadPosition): Promise<void> {
    await this.settled();
    await this.heartbeatDurable(position);
  }

  /**
   * When the body has arrived, before the checks and the commit: the whole file becomes the
   * checkpoint, so a crash there does not cost the download again. Skipped for a download that
   * took less than one interval and made no checkpoint (re-downloading it is cheaper than the
   * heartbeat, a billable action, on every short video), unless the sink asks to checkpoint at once.
   */
  async finalCheckpoint(position: DownloadPosition): Promise<void> {
    await this.settled();
    const worthIt =
      this.checkpointed ||
      position.sink.checkpointAtOnce === true ||
      Date.now() - this.startedAt >= this.intervals.checkpointIntervalMs;
    if (worthIt) await this.heartbeatDurable(position);
  }

  /**
   * After each chunk: starts a checkpoint when its interval has passed and none is under way, and
   * reports progress when its interval has. The stream does not wait for the checkpoint's fsync
   * (100-300 ms for a second of bytes on this project's machine): the sink goes on taking bytes
   * meanwhile, and the heartbeat names only what the fsync covered. A checkpoint that failed is
   * thrown here or by the next `checkpoint`/`settled`.
   */
  async checkpointIfDue(position: DownloadPosition): Promise<void> {
    this.throwFailure();
    const now = Date.now();
    const due =
      now - this.lastCheckpointAt >= this.intervals.checkpointIntervalMs ||
      (!this.checkpointed && position.sink.checkpointAtOnce === true);
    if (!this.running && due) {
      this.lastCheckpointAt = now;
      this.running = this.heartbeatDurable(position)
        .catch((error: unknown) => void (this.failure = { error }))
        .finally(() => (this.running = undefined));
    }
    if (now - this.lastProgressAt >= this.intervals.progressIntervalMs) this.reportProgress(position);
  }

  /**
   * Once no checkpoint is under way; throws a checkpoint that failed (a failed fsync is not
   * retried: the kernel may have dropped the pages it could not write). Call it before anything
   * but `write` touches the sink.
   */
  async settled(): Promise<void> {
    while (this.running) await this.running;
    this.throwFailure();
  }

  private async heartbeatDurable({ sink, etag, totalBytes }: DownloadPosition): Promise<void> {
    const checkpoint: DownloadCheckpoint = { ...(await sink.durableCheckpoint()), etag, totalBytes };
    this.context.heartbeat(checkpoint);
    this.last = checkpoint;
    this.lastCheckpointAt = Date.now();
    this.checkpointed = true;
  }

  private throwFailure(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Tells the workflow how far the download is, for its `status` query. Best effort. */
  reportProgress({ sink, totalBytes }: DownloadPosition): void {
    this.lastProgressAt = Date.now();
    const execution = this.context.info.workflowExecution;
    if (!execution) return;
    const { workflowId, runId } = execution;
    const progress = { bytes: sink.offset, totalBytes };
    let client;
    try {
      client = this.context.client;
    } catch {
      return; // no Temporal client here (e.g. MockActivityEnvironment): nobody to tell
    }
    client.workflow
      .getHandle(workflowId, runId)
      .signal(downloadProgressSignal, progress)
      .catch(() => undefined);
  }
}

/**
 * Whether heartbeat details are a download checkpoint: the activity's fields and the sink's
 * `offset`. The sink checks the rest when it opens, and starts from zero if it cannot resume.
 */
export function isDownloadCheckpoint(value: unknown): value is DownloadCheckpoint {
  if (typeof value !== 'object' || value === null) return false;
  const { offset, etag, totalBytes } = value as Partial<Record<keyof DownloadCheckpoint, unknown>>;
  return (
    Number.isSafeInteger(offset) &&
    (offset as number) >= 0 &&
    (etag === null || typeof etag === 'string') &&
    (totalBytes === null || (Number.isSafeInteger(totalBytes) && (totalBytes as number) >= 0))
  );
}
