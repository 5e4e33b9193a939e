/**
 * `downloadVideo`: reads a fresh `video_url` from the status endpoint (the signed URL never enters
 * history), streams the MP4 into this attempt's own partial file, checkpoints (fsync, then
 * heartbeat the offset), verifies length, sha256 and MP4 structure, and only then puts it in
 * place under its final name.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, NON_RETRYABLE_TYPES } from '../contract/failures';
import {
  SeedanceTimeoutError,
  SeedanceVideoChangedError,
  SeedanceVideoUrlExpiredError,
  isSeedanceError,
} from '../seedance/errors';
import { checkVideoUrl } from '../seedance/url-safety';
import { openVideo, type VideoResponse } from '../seedance/video-download';
import { checkFileName } from '../storage/file-name';
import { checkMp4File } from '../storage/mp4';
import type { VideoStorage } from '../storage/types';
import { downloadProgressSignal } from '../contract/definitions';
import type { StoredVideo } from '../contract/types';
import { DEFAULT_DOWNLOAD_POLICY, videoUrlPolicy, type DownloadPolicy, type SeedanceApi } from './dependencies';
import { LowSpeedMonitor } from './low-speed';
import { PartialFile, isCheckpoint, type Checkpoint } from './partial-file';
import { DownloadError } from './download-error';
import { toApplicationFailure } from './to-failure';
import type { VideoUrlCache } from './video-url-cache';
import type { DownloadVideoInput } from './types';
import { taskIdSchema } from '../seedance/schemas';

/**
 * Whether Temporal will run another attempt after this error: the same decision as the failure
 * the activity reports (its `nonRetryable` flag, or a type the retry policy never retries).
 */
function willRetry(error: unknown): boolean {
  const failure = toApplicationFailure(error);
  if (!(failure instanceof ApplicationFailure)) return true;
  return !failure.nonRetryable && !NON_RETRYABLE_TYPES.includes(failure.type as FailureType);
}

/** How many fresh URLs one attempt asks for when the file host says the URL expired. */
const MAX_URL_REFRESHES = 2;
/** How many times one attempt restarts from zero because the file changed under it. */
const MAX_RESTARTS = 2;
/** Liveness heartbeat period while no byte moves (the SDK throttles what it sends on). */
const LIVENESS_INTERVAL_MS = 1_000;

export function makeDownloadVideo(
  client: SeedanceApi,
  storage: VideoStorage,
  urls: VideoUrlCache,
  policyOverrides: Partial<DownloadPolicy> = {},
) {
  const policy: DownloadPolicy = { ...DEFAULT_DOWNLOAD_POLICY, ...policyOverrides };
  return async function downloadVideo(input: DownloadVideoInput): Promise<StoredVideo> {
    const download = new Download(client, storage, urls, policy, input);
    const alive = download.keepAlive();
    try {
      return await download.run();
    } catch (error) {
      throw toApplicationFailure(error);
    } finally {
      clearInterval(alive);
    }
  };
}

class Download {
  private readonly context = Context.current();
  private partial: PartialFile | undefined;
  private etag: string | null = null;
  private totalBytes: number | null = null;
  private lastCheckpointAt = 0;
  /** Set when the attempt starts: a download shorter than one interval sends no progress signal (each costs a workflow task). */
  private lastProgressAt = Date.now();
  /** What the last heartbeat pointed at: re-sent by the liveness heartbeat, never anything newer. */
  private lastCheckpoint: Checkpoint | undefined = isCheckpoint(this.context.info.heartbeatDetails)
    ? this.context.info.heartbeatDetails
    : undefined;

  constructor(
    private readonly client: SeedanceApi,
    private readonly storage: VideoStorage,
    private readonly urls: VideoUrlCache,
    private readonly policy: DownloadPolicy,
    private readonly input: DownloadVideoInput,
  ) {}

  /**
   * Heartbeats every second for the whole attempt, also while no byte moves (connecting, waiting
   * for headers, copying or hashing a prefix, verifying): the heartbeat timeout then detects only
   * a dead or frozen worker, and a slow file host is left to the idle and low-speed limits. It
   * repeats the last checkpoint, so it never points at bytes that are not on disk.
   */
  keepAlive(): NodeJS.Timeout {
    return setInterval(() => this.context.heartbeat(this.lastCheckpoint), LIVENESS_INTERVAL_MS);
  }

  async run(): Promise<StoredVideo> {
    const { taskId, fileName } = this.validInput();
    // The name is resolved against the real output root (symlinks included) before any request.
    const existing = await this.storage.find(fileName);
    let url = this.requireSafeUrl(this.urls.take(taskId) ?? (await this.freshUrl()));
    if (existing) return this.reuse(existing, url);

    const prior = this.context.info.heartbeatDetails;
    this.partial = await PartialFile.start(this.storage.stagingDir, fileName, taskId, isCheckpoint(prior) ? prior : undefined);
    try {
      if (isCheckpoint(prior) && this.partial.offset > 0) {
        this.etag = prior.etag;
        this.totalBytes = prior.totalBytes;
        this.context.log.info('resuming download', { taskId, offset: this.partial.offset, attempt: this.context.info.attempt });
        // Point the heartbeat at this attempt's copy first, then drop the earlier attempts' files:
        // the disk holds one partial per download, not one per attempt.
        await this.checkpoint();
        await this.removeOtherPartials();
      }
      let refreshes = 0;
      let restarts = 0;
      for (;;) {
        try {
          await this.fetchInto(url);
          break;
        } catch (error) {
          if (error instanceof SeedanceVideoUrlExpiredError && refreshes < MAX_URL_REFRESHES) {
            refreshes++;
            this.context.log.info('video URL expired or refused; reading a fresh one', { taskId });
            url = this.requireSafeUrl(await this.freshUrl());
            continue;
          }
          if (error instanceof SeedanceVideoChangedError && restarts < MAX_RESTARTS) {
            restarts++;
            await this.restartFromZero();
            continue;
          }
          throw error;
        }
      }
      return await this.verifyAndCommit();
    } catch (error) {
      await this.onFailure(error);
      throw error;
    }
  }

  private validInput(): DownloadVideoInput {
    const { taskId, fileName } = this.input;
    if (!taskIdSchema.safeParse(taskId).success) {
      throw new DownloadError('InvalidInput', 'taskId is not a valid Seedance task id');
    }
    const name = checkFileName(fileName);
    if (!name.ok) throw new DownloadError('InvalidFileName', `file name refused: ${name.reason}`);
    return { taskId, fileName };
  }

  /** Refuses an unsafe URL before the partial file exists or any connection is made (openVideo checks again, and every redirect). */
  private requireSafeUrl(url: string): string {
    const check = checkVideoUrl(url, videoUrlPolicy(this.policy));
    if (!check.ok) throw new DownloadError('UnsafeUrl', `Refused to download the video: ${check.reason}`);
    return url;
  }

  /** The current signed URL, read now: it stays in this process and never enters history. */
  private async freshUrl(): Promise<string> {
    const task = await this.client.getTask(this.input.taskId, { signal: this.context.cancellationSignal });
    if (task.status !== 'completed' || !task.video_url) {
      throw new DownloadError('VideoUnavailable', `task ${task.id} is ${task.status}, not completed: no video to download`);
    }
    return task.video_url;
  }

  /**
   * An earlier attempt stored the file but its result was lost. Reuse it if the file host still
   * serves exactly that many bytes: a range request at the end answers 416 without a body.
   */
  private async reuse(existing: StoredVideo, url: string): Promise<StoredVideo> {
    const response = await this.open(url, existing.bytes, null);
    response.body.destroy();
    // 416: nothing after the end, the size matches. 200: a host that ignores Range, whose
    // Content-Length tells the size just as well (the body is dropped unread).
    if ((response.status === 416 || response.status === 200) && response.totalBytes === existing.bytes) {
      this.context.log.info('video already stored; reusing it', { taskId: this.input.taskId, uri: existing.uri });
      return existing;
    }
    throw new DownloadError('StorageError', `${this.input.fileName} already exists with different content; choose another fileName or remove it`, { retryable: false });
  }

  private open(url: string, start: number, ifRange: string | null): Promise<VideoResponse> {
    return openVideo(url, {
      ...videoUrlPolicy(this.policy),
      ...(start > 0 ? { start } : {}),
      ...(start > 0 && ifRange ? { ifRange } : {}),
      signal: this.context.cancellationSignal,
      idleTimeoutMs: this.policy.idleTimeoutMs,
    });
  }

  private async fetchInto(url: string): Promise<void> {
    const partial = this.partial!;
    const response = await this.open(url, partial.offset, this.etag);
    if (response.status === 416) {
      response.body.destroy();
      if (response.totalBytes !== undefined && response.totalBytes === partial.offset) {
        this.totalBytes = response.totalBytes;
        return; // already complete: verification decides
      }
      throw new SeedanceVideoChangedError('the server refused the resume range; starting over');
    }
    if (response.status === 200 && partial.offset > 0) {
      // The server ignored the range or the file changed: never append a whole body to a prefix.
      this.context.log.info('server answered the range with the whole file; starting over', { taskId: this.input.taskId });
      await partial.reset();
    }
    if (response.etag && this.etag && response.etag !== this.etag && response.status === 206) {
      response.body.destroy();
      throw new SeedanceVideoChangedError('the file changed between attempts');
    }
    this.etag = response.etag ?? null;
    this.totalBytes = response.totalBytes ?? null;
    if (this.totalBytes !== null && this.totalBytes > this.policy.maxBytes) {
      response.body.destroy();
      throw new DownloadError('VideoTooLarge', `the video is ${this.totalBytes} bytes, above the ${this.policy.maxBytes}-byte cap`);
    }
    await this.stream(response);
  }

  private async stream(response: VideoResponse): Promise<void> {
    const partial = this.partial!;
    const started = Date.now();
    const monitor = new LowSpeedMonitor(this.policy.lowSpeedBytesPerSecond, this.policy.lowSpeedWindowMs, started);
    const timer = setInterval(() => {
      if (monitor.tooSlow(Date.now())) {
        response.body.destroy(
          new DownloadError('DownloadStalled', `the download fell below ${this.policy.lowSpeedBytesPerSecond} bytes/s`),
        );
      }
    }, Math.min(1000, this.policy.lowSpeedWindowMs));
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        if (partial.offset + chunk.length > this.policy.maxBytes) {
          throw new DownloadError('VideoTooLarge', `the video grew past the ${this.policy.maxBytes}-byte cap`);
        }
        await partial.write(chunk);
        monitor.record(chunk.length, Date.now());
        await this.checkpointIfDue();
      }
    } catch (error) {
      if (error instanceof DownloadError) throw error;
      if (this.context.cancellationSignal.aborted) throw this.context.cancellationSignal.reason;
      if (error instanceof SeedanceTimeoutError) {
        throw new DownloadError('DownloadStalled', `the video host sent nothing for ${this.policy.idleTimeoutMs} ms at byte ${partial.offset}`);
      }
      if (isSeedanceError(error)) {
        throw new DownloadError('NetworkError', `the video download broke off at byte ${partial.offset}`);
      }
      throw error; // a storage error (ENOSPC, EIO...): to-failure maps its code
    } finally {
      clearInterval(timer);
      response.body.destroy();
    }
    await this.checkpoint();
  }

  private async checkpointIfDue(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCheckpointAt >= this.policy.checkpointIntervalMs) await this.checkpoint();
    if (now - this.lastProgressAt >= this.policy.progressIntervalMs) this.reportProgress();
  }

  /** fsync first, then heartbeat: the heartbeat may only point at bytes that are on disk. */
  private async checkpoint(): Promise<void> {
    const partial = this.partial;
    if (!partial) return;
    await partial.sync();
    const checkpoint: Checkpoint = { partial: partial.name, offset: partial.offset, etag: this.etag, totalBytes: this.totalBytes };
    this.context.heartbeat(checkpoint);
    this.lastCheckpoint = checkpoint;
    this.lastCheckpointAt = Date.now();
  }

  /** Tells the workflow how far the download is, for its `status` query. Best effort. */
  private reportProgress(): void {
    this.lastProgressAt = Date.now();
    const execution = this.context.info.workflowExecution;
    if (!execution) return;
    const { workflowId, runId } = execution;
    const progress = { bytes: this.partial?.offset ?? 0, totalBytes: this.totalBytes };
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

  private async restartFromZero(): Promise<void> {
    this.context.log.info('video changed on the server; restarting from zero', { taskId: this.input.taskId });
    this.etag = null;
    this.totalBytes = null;
    await this.partial!.reset();
  }

  private async verifyAndCommit(): Promise<StoredVideo> {
    const partial = this.partial!;
    const bytes = partial.offset;
    if (this.totalBytes !== null && bytes !== this.totalBytes) {
      throw new DownloadError('InvalidVideo', `the download ended at ${bytes} of ${this.totalBytes} bytes`, { retryable: true });
    }
    await partial.sync();
    await partial.close();
    const mp4 = await checkMp4File(partial.path);
    if (!mp4.ok) {
      throw new DownloadError('InvalidVideo', `the downloaded file is not a complete MP4: ${mp4.reason}`, { retryable: false });
    }
    const sha256 = partial.digest();
    const stored = await this.storage.commit(partial.path, this.input.fileName, { bytes, sha256 });
    this.partial = undefined;
    await this.removeOtherPartials();
    return stored; // the workflow learns the end from the result: no progress signal needed
  }

  /**
   * Why the attempt ends decides what happens to the partial file: the workflow cancelled it
   * (delete), the worker is shutting down (keep it for the next attempt), this attempt is a
   * zombie (stop; the live attempt owns the download now), or a failure.
   */
  private async onFailure(error: unknown): Promise<void> {
    const partial = this.partial;
    if (!partial) return;
    const details = this.context.cancellationDetails;
    if (details?.cancelRequested) {
      await partial.remove();
      await this.removeOtherPartials();
      return;
    }
    if (details?.workerShutdown) {
      await this.checkpoint().catch(() => undefined);
      await partial.close();
      return;
    }
    if (details?.timedOut || details?.notFound) {
      this.context.log.info('this attempt was replaced on the server; stopping without touching the download', {
        taskId: this.input.taskId,
        attempt: this.context.info.attempt,
        offset: partial.offset,
      });
      await partial.close();
      return;
    }
    if (willRetry(error)) {
      await this.checkpoint().catch(() => undefined);
      await partial.close();
    } else {
      // No attempt will resume: leave no partial of this download behind, an earlier attempt's included.
      await partial.remove();
      await this.removeOtherPartials();
    }
  }

  /** Deletes every partial file of this download (fileName, taskId) except this attempt's own. */
  private async removeOtherPartials(): Promise<void> {
    await PartialFile.removeAll(this.storage.stagingDir, this.input.fileName, this.input.taskId, this.partial?.name);
  }
}
