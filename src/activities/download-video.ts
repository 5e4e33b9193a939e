/**
 * `downloadVideo`: reads a fresh `video_url` from the status endpoint (the signed URL never enters
 * history), streams the MP4 into this attempt's own partial file, checkpoints (fsync, then
 * heartbeat the offset), verifies length, sha256 and MP4 structure, and only then puts it in
 * place under its final name.
 */
import { Context } from '@temporalio/activity';
import { rm, readdir } from 'node:fs/promises';
import path from 'node:path';
import { FailureType } from '../failures';
import {
  SeedanceVideoChangedError,
  SeedanceVideoUrlExpiredError,
} from '../seedance/errors';
import { openVideo, type VideoResponse } from '../seedance/video-download';
import { checkFileName } from '../storage/file-name';
import { checkMp4File } from '../storage/mp4';
import type { VideoStorage } from '../storage/types';
import { downloadProgressSignal } from '../workflows/definitions';
import type { StoredVideo } from '../workflows/types';
import { DEFAULT_DOWNLOAD_POLICY, type DownloadPolicy, type SeedanceApi } from './dependencies';
import { LowSpeedMonitor } from './low-speed';
import { PartialFile, isCheckpoint, type Checkpoint } from './partial-file';
import { DownloadError, toApplicationFailure } from './to-failure';
import type { VideoUrlCache } from './video-url-cache';
import type { DownloadVideoInput } from './types';
import { taskIdSchema } from '../seedance/schemas';

/** How many fresh URLs one attempt asks for when the file host says the URL expired. */
const MAX_URL_REFRESHES = 2;
/** How many times one attempt restarts from zero because the file changed under it. */
const MAX_RESTARTS = 2;

export function makeDownloadVideo(
  client: SeedanceApi,
  storage: VideoStorage,
  urls: VideoUrlCache,
  policyOverrides: Partial<DownloadPolicy> = {},
) {
  const policy: DownloadPolicy = { ...DEFAULT_DOWNLOAD_POLICY, ...policyOverrides };
  return async function downloadVideo(input: DownloadVideoInput): Promise<StoredVideo> {
    try {
      return await new Download(client, storage, urls, policy, input).run();
    } catch (error) {
      throw toApplicationFailure(error);
    }
  };
}

class Download {
  private readonly context = Context.current();
  private partial: PartialFile | undefined;
  private etag: string | null = null;
  private totalBytes: number | null = null;
  private lastCheckpointAt = 0;
  private lastProgressAt = 0;

  constructor(
    private readonly client: SeedanceApi,
    private readonly storage: VideoStorage,
    private readonly urls: VideoUrlCache,
    private readonly policy: DownloadPolicy,
    private readonly input: DownloadVideoInput,
  ) {}

  async run(): Promise<StoredVideo> {
    const { taskId, fileName } = this.validInput();
    let url = this.urls.take(taskId) ?? (await this.freshUrl());

    const existing = await this.storage.find(fileName);
    if (existing) return this.reuse(existing, url);

    const prior = this.context.info.heartbeatDetails;
    this.partial = await PartialFile.start(this.storage.stagingDir, fileName, taskId, isCheckpoint(prior) ? prior : undefined);
    if (isCheckpoint(prior) && this.partial.offset > 0) {
      this.etag = prior.etag;
      this.totalBytes = prior.totalBytes;
      this.context.log.info('resuming download', { taskId, offset: this.partial.offset, attempt: this.context.info.attempt });
    }
    try {
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
            url = await this.freshUrl();
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
      throw new DownloadError(FailureType.InvalidInput, 'taskId is not a valid Seedance task id', false);
    }
    const name = checkFileName(fileName);
    if (!name.ok) throw new DownloadError(FailureType.InvalidFileName, `file name refused: ${name.reason}`, false);
    return { taskId, fileName };
  }

  /** The current signed URL, read now: it stays in this process and never enters history. */
  private async freshUrl(): Promise<string> {
    const task = await this.client.getTask(this.input.taskId, { signal: this.context.cancellationSignal });
    if (task.status !== 'completed' || !task.video_url) {
      throw new DownloadError(FailureType.VideoUnavailable, `task ${task.id} is ${task.status}, not completed: no video to download`, false);
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
    if (response.status === 416 && response.totalBytes === existing.bytes) {
      this.context.log.info('video already stored; reusing it', { taskId: this.input.taskId, uri: existing.uri });
      return existing;
    }
    throw new DownloadError(
      FailureType.StorageError,
      `${this.input.fileName} already exists with different content; choose another fileName or remove it`,
      false,
    );
  }

  private open(url: string, start: number, ifRange: string | null): Promise<VideoResponse> {
    return openVideo(url, {
      allowPrivate: this.policy.allowPrivateUrls,
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
      throw new DownloadError(FailureType.VideoTooLarge, `the video is ${this.totalBytes} bytes, above the ${this.policy.maxBytes}-byte cap`, false);
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
          new DownloadError(FailureType.DownloadStalled, `the download fell below ${this.policy.lowSpeedBytesPerSecond} bytes/s`, true),
        );
      }
    }, Math.min(1000, this.policy.lowSpeedWindowMs));
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        if (partial.offset + chunk.length > this.policy.maxBytes) {
          throw new DownloadError(FailureType.VideoTooLarge, `the video grew past the ${this.policy.maxBytes}-byte cap`, false);
        }
        await partial.write(chunk);
        monitor.record(chunk.length, Date.now());
        await this.checkpointIfDue();
      }
    } catch (error) {
      if (error instanceof DownloadError) throw error;
      if (this.context.cancellationSignal.aborted) throw this.context.cancellationSignal.reason;
      await this.checkpoint();
      throw new DownloadError(FailureType.NetworkError, `the video download broke off at byte ${partial.offset}`, true);
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
    this.lastCheckpointAt = Date.now();
  }

  /** Tells the workflow how far the download is, for its `status` query. Best effort. */
  private reportProgress(): void {
    this.lastProgressAt = Date.now();
    const execution = this.context.info.workflowExecution;
    if (!execution) return;
    const { workflowId, runId } = execution;
    const progress = { bytes: this.partial?.offset ?? 0, totalBytes: this.totalBytes };
    this.context.client.workflow
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
      throw new DownloadError(FailureType.InvalidVideo, `the download ended at ${bytes} of ${this.totalBytes} bytes`, true);
    }
    await partial.sync();
    await partial.close();
    const mp4 = await checkMp4File(partial.path);
    if (!mp4.ok) {
      throw new DownloadError(FailureType.InvalidVideo, `the downloaded file is not a complete MP4: ${mp4.reason}`, false);
    }
    const sha256 = partial.digest();
    const stored = await this.storage.commit(partial.path, this.input.fileName, { bytes, sha256 });
    this.partial = undefined;
    await this.removeOtherPartials();
    this.reportProgress();
    return stored;
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
      await partial.close();
      return;
    }
    const retryable = !(error instanceof DownloadError) || error.retryable;
    if (retryable) {
      await this.checkpoint().catch(() => undefined);
      await partial.close();
    } else {
      await partial.remove();
    }
  }

  private async removeOtherPartials(): Promise<void> {
    const prefix = PartialFile.prefix(this.input.fileName, this.input.taskId);
    const names = await readdir(this.storage.stagingDir).catch(() => [] as string[]);
    await Promise.all(
      names
        .filter((name) => name.startsWith(prefix) && name.endsWith('.part'))
        .map((name) => rm(path.join(this.storage.stagingDir, name), { force: true })),
    );
  }
}
