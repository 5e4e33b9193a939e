/**
 * `downloadVideo`: reads a fresh `video_url` from the status endpoint (the signed URL never enters
 * history), streams the MP4 into this attempt's own sink of the storage (local: a partial file),
 * checkpoints (heartbeats what the sink made durable), verifies length, sha256 and MP4 structure,
 * and only then puts it in place under its final name. Asked for the last frame (`lastFrame`), it
 * then fetches the task's last-frame PNG and stores it beside the video (`<name>.last-frame.png`).
 *
 * The parts: `resumeVideo` (src/seedance/video-resume.ts) says what the host's answer means for the
 * sink, `streamToSink` writes the body under the limits, the `Checkpointer` heartbeats and reports
 * progress, and `disposePartial` decides the sink's fate when an attempt fails.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../contract/failures';
import type { StoredVideo } from '../contract/types';
import { SeedanceError, SeedanceVideoChangedError, SeedanceVideoUrlExpiredError } from '../seedance/errors';
import { fetchLastFrame } from '../seedance/last-frame';
import { taskIdSchema } from '../seedance/schemas';
import { checkVideoUrl } from '../seedance/url-safety';
import { resumeVideo, servesExactly, type ResumeOptions } from '../seedance/video-resume';
import { checkFileName, lastFrameFileName } from '../storage/file-name';
import type { DownloadCheckpoint, VideoSink } from '../storage/sink';
import { StoredFileConflictError, type StoredCompanion, type VideoStorage } from '../storage/types';
import { Checkpointer, type DownloadPosition } from './checkpointer';
import { toSnapshot } from './snapshot';
import { DEFAULT_DOWNLOAD_POLICY, videoUrlPolicy, type DownloadPolicy } from './dependencies';
import type { ProviderTask, VideoTaskProvider } from '../seedance/provider';
import { disposePartial, stopReason } from './dispose-partial';
import { DownloadError } from './download-error';
import { streamToSink } from './stream-to-sink';
import { toApplicationFailure } from './to-failure';
import { countDownloadResume, recordDownloadAttempt } from './activity-metrics';
import type { DownloadVideoInput, StoredVideoWithFrame } from './types';
import type { VideoUrlCache } from './video-url-cache';

/** How many fresh URLs one attempt asks for when the file host says the URL expired. */
const MAX_URL_REFRESHES = 2;
/** How many times one attempt restarts from zero because the file changed under it. */
const MAX_RESTARTS = 2;

export function makeDownloadVideo(
  client: VideoTaskProvider,
  storage: VideoStorage,
  urls: VideoUrlCache,
  policyOverrides: Partial<DownloadPolicy> = {},
) {
  const policy: DownloadPolicy = { ...DEFAULT_DOWNLOAD_POLICY, ...policyOverrides };
  return async function downloadVideo(input: DownloadVideoInput): Promise<StoredVideoWithFrame> {
    const download = new Download(client, storage, urls, policy, input);
    const stopKeepAlive = download.checkpointer.keepAlive();
    const startedAt = performance.now();
    let result: 'stored' | 'failed' = 'failed';
    try {
      const stored = await download.run();
      result = 'stored';
      return stored;
    } catch (error) {
      throw toApplicationFailure(error);
    } finally {
      stopKeepAlive();
      const seconds = (performance.now() - startedAt) / 1000;
      recordDownloadAttempt(download.context, { result, seconds, bytes: download.fetchedBytes, model: input.model });
    }
  };
}

class Download {
  readonly context: Context;
  readonly checkpointer: Checkpointer;
  /** Bytes this attempt received from the file host (for the metrics). */
  fetchedBytes = 0;
  /** This attempt's sink, from its opening until the video is committed. */
  private sink: VideoSink | undefined;
  private etag: string | null = null;
  private totalBytes: number | null = null;
  /** The task's last-frame URL: undefined until the cache or a status read tells, null if it has none. */
  private lastFrameUrl: string | null | undefined;

  constructor(
    private readonly client: VideoTaskProvider,
    private readonly storage: VideoStorage,
    private readonly urls: VideoUrlCache,
    private readonly policy: DownloadPolicy,
    private readonly input: DownloadVideoInput,
  ) {
    this.context = Context.current();
    this.checkpointer = new Checkpointer(this.context, policy);
  }

  async run(): Promise<StoredVideoWithFrame> {
    const input = this.validInput();
    const confirmed = input.confirm ? await this.confirmCompleted() : undefined;
    const video = await this.storeVideo(input, confirmed?.videoUrl ?? undefined);
    const lastFrame = input.lastFrame || Boolean(confirmed?.lastFrameUrl);
    const stored = lastFrame ? await this.withLastFrame(input, video) : video;
    return confirmed ? { ...stored, task: toSnapshot(confirmed) } : stored;
  }

  /** The status read a download sent on a callback starts with: completed, or a typed refusal. */
  private async confirmCompleted(): Promise<ProviderTask> {
    const task = await this.readTask();
    if (task.status === 'completed' && task.videoUrl) return task;
    throw ApplicationFailure.create({
      type: FailureType.TaskNotCompleted,
      message: `task ${task.id} is ${task.status}, not completed: the completed callback came early`,
      nonRetryable: true,
      details: [toSnapshot(task)],
    });
  }

  private async storeVideo(
    { taskId, fileName, model }: DownloadVideoInput,
    confirmedUrl?: string,
  ): Promise<StoredVideo> {
    // The name is resolved against the real output root (symlinks included) before any request.
    const existing = await this.storage.find(fileName);
    const url = this.requireSafeUrl(confirmedUrl ?? this.cachedUrl(taskId) ?? (await this.freshUrl()));
    if (existing) return this.reuse(existing, url);

    const prior = this.checkpointer.prior;
    const sink = await this.storage.openSink({ fileName, taskId, model, prior });
    this.sink = sink;
    try {
      if (prior && sink.offset > 0) await this.resumeFrom(prior, sink);
      await this.fetch(url, sink);
      return await this.verifyAndCommit(sink);
    } catch (error) {
      await this.onFailure(error);
      throw error;
    }
  }

  private validInput(): DownloadVideoInput {
    const { taskId, fileName, model, lastFrame } = this.input;
    if (!taskIdSchema.safeParse(taskId).success) {
      throw new DownloadError('InvalidInput', 'taskId is not a valid Seedance task id');
    }
    const name = checkFileName(fileName);
    if (!name.ok) throw new DownloadError('InvalidFileName', `file name refused: ${name.reason}`);
    return {
      taskId,
      fileName,
      ...(typeof model === 'string' ? { model } : {}),
      ...(lastFrame === true ? { lastFrame } : {}),
      ...(this.input.confirm === true ? { confirm: true } : {}),
    };
  }

  /**
   * Refuses an unsafe URL before the sink exists or any connection is made (the HTTP layer
   * checks again, and every redirect).
   */
  private requireSafeUrl(url: string): string {
    const check = checkVideoUrl(url, videoUrlPolicy(this.policy));
    if (!check.ok) throw new DownloadError('UnsafeUrl', `Refused to download the video: ${check.reason}`);
    return url;
  }

  /** The video URL `checkStatus` saw, if this worker ran it just now; the last-frame URL comes along. */
  private cachedUrl(taskId: string): string | undefined {
    const urls = this.urls.takeUrls(taskId);
    if (urls?.lastFrameUrl) this.lastFrameUrl = urls.lastFrameUrl;
    return urls?.videoUrl;
  }

  /** The current signed URL, read now: it stays in this process and never enters history. */
  private async freshUrl(): Promise<string> {
    const task = await this.readTask();
    if (task.status !== 'completed' || !task.videoUrl) {
      const what = `task ${task.id} is ${task.status}, not completed: no video to download`;
      throw new DownloadError('VideoUnavailable', what);
    }
    return task.videoUrl;
  }

  /** One status read; keeps the last-frame URL it carries (or that there is none). */
  private async readTask(): Promise<ProviderTask> {
    const task = await this.client.getTask(this.input.taskId, { signal: this.context.cancellationSignal });
    this.lastFrameUrl = task.lastFrameUrl ?? null;
    return task;
  }

  /**
   * Stores the task's last-frame PNG beside the video, once the video is stored (or reused): a
   * retry whose result was lost finds the same bytes stored and reuses them. A frame the task does
   * not have is logged and left out: a stored video never fails for a missing frame. Nothing here
   * heartbeats anything new: the liveness heartbeat keeps repeating the video's last checkpoint.
   */
  private async withLastFrame(input: DownloadVideoInput, video: StoredVideo): Promise<StoredVideoWithFrame> {
    const { taskId, fileName, model } = input;
    const name = lastFrameFileName(fileName);
    if (!name.ok) {
      this.context.log.warn('last frame not stored: its file name is refused', { taskId, reason: name.reason });
      return video;
    }
    if (!this.storage.storeCompanion) {
      this.context.log.warn('last frame not stored: the storage cannot store companion files', { taskId });
      return video;
    }
    let stored: StoredCompanion;
    try {
      const png = await this.fetchLastFrame();
      if (png === undefined) {
        const what = 'the task has no last-frame URL, though its last frame was asked for: returning the video alone';
        this.context.log.warn(what, { taskId });
        return video;
      }
      stored = await this.storage.storeCompanion({
        fileName: name.fileName,
        bytes: png,
        contentType: 'image/png',
        taskId,
        ...(model ? { model } : {}),
      });
    } catch (error) {
      // A stored video is never failed for its frame: a refusal no retry can fix (not a PNG, too
      // large, another file under the name) returns the video alone. Passing faults are retried.
      if (!isPermanentFrameRefusal(error)) throw error;
      this.context.log.warn('last frame refused: returning the video alone', {
        taskId,
        error: error instanceof Error ? error.message : 'unknown',
      });
      return video;
    }
    const { file, reused } = stored;
    this.context.log.info(reused ? 'last frame already stored; reusing it' : 'last frame stored', {
      taskId,
      uri: file.uri,
      bytes: file.bytes,
    });
    return { ...video, lastFrame: file };
  }

  /** The last-frame PNG, or undefined when the task has none. An expired URL is read afresh once. */
  private async fetchLastFrame(): Promise<Buffer | undefined> {
    let url = this.lastFrameUrl === undefined ? (await this.readTask()).lastFrameUrl : this.lastFrameUrl;
    for (let refreshed = false; ; refreshed = true) {
      if (!url) return undefined;
      try {
        return await fetchLastFrame(url, this.openOptions());
      } catch (error) {
        if (!(error instanceof SeedanceVideoUrlExpiredError) || refreshed) throw error;
        this.context.log.info('last-frame URL expired or refused; reading a fresh one', { taskId: this.input.taskId });
        url = (await this.readTask()).lastFrameUrl;
      }
    }
  }

  /** An earlier attempt stored the file but its result was lost: reuse it if the host serves that size. */
  private async reuse(existing: StoredVideo, url: string): Promise<StoredVideo> {
    if (await servesExactly(url, existing.bytes, this.openOptions())) {
      this.context.log.info('video already stored; reusing it', { taskId: this.input.taskId, uri: existing.uri });
      // Whoever stored it may have raced an attempt that left a partial: nothing resumes it now.
      await this.removeOtherPartials();
      return existing;
    }
    const what = `${this.input.fileName} already exists with different content; choose another fileName or remove it`;
    throw new DownloadError('StorageError', what, { retryable: false });
  }

  /** The sink resumed from `prior`: the host is asked for the bytes from `sink.offset`, what the sink holds. */
  private async resumeFrom(prior: DownloadCheckpoint, sink: VideoSink): Promise<void> {
    this.etag = prior.etag;
    this.totalBytes = prior.totalBytes;
    const { taskId } = this.input;
    this.context.log.info('resuming download', { taskId, offset: sink.offset, attempt: this.context.info.attempt });
    countDownloadResume(this.context, this.input.model);
    // Point the heartbeat at this attempt's sink first, then drop the earlier attempts' leftovers:
    // the storage holds one partial per download, not one per attempt.
    await this.checkpointer.checkpoint(this.position(sink));
    await this.removeOtherPartials();
  }

  /** Fetches into the sink until the file is whole, with fresh URLs and restarts as allowed. */
  private async fetch(url: string, sink: VideoSink): Promise<void> {
    let refreshes = 0;
    let restarts = 0;
    for (;;) {
      try {
        return await this.fetchOnce(url, sink);
      } catch (error) {
        if (error instanceof SeedanceVideoUrlExpiredError && refreshes < MAX_URL_REFRESHES) {
          refreshes++;
          this.context.log.info('video URL expired or refused; reading a fresh one', { taskId: this.input.taskId });
          url = this.requireSafeUrl(await this.freshUrl());
          continue;
        }
        if (error instanceof SeedanceVideoChangedError && restarts < MAX_RESTARTS) {
          restarts++;
          await this.restartFromZero(sink);
          continue;
        }
        throw error;
      }
    }
  }

  private async fetchOnce(url: string, sink: VideoSink): Promise<void> {
    const decision = await resumeVideo(url, { offset: sink.offset, etag: this.etag }, this.openOptions());
    if (decision.kind === 'complete') {
      this.totalBytes = decision.totalBytes;
      return; // already complete: verification decides
    }
    if (decision.kind === 'restart') {
      const { taskId } = this.input;
      this.context.log.info('server answered the range with the whole file; starting over', { taskId });
      await sink.reset();
    }
    this.etag = decision.etag;
    this.totalBytes = decision.totalBytes;
    if (this.totalBytes !== null && this.totalBytes > this.policy.maxBytes) {
      decision.body.destroy();
      const what = `the video is ${this.totalBytes} bytes, above the ${this.policy.maxBytes}-byte cap`;
      throw new DownloadError('VideoTooLarge', what);
    }
    const fromOffset = sink.offset;
    try {
      await streamToSink(decision.body, sink, {
        limits: this.policy,
        signal: this.context.cancellationSignal,
        afterChunk: () => this.checkpointer.checkpointIfDue(this.position(sink)),
      });
    } catch (error) {
      // A checkpoint may still be fsyncing: nothing else touches the sink (reset, discard) before it ends.
      await this.checkpointer.settled().catch(() => undefined);
      throw error;
    } finally {
      this.fetchedBytes += Math.max(0, sink.offset - fromOffset);
    }
    await this.checkpointer.finalCheckpoint(this.position(sink));
  }

  private openOptions(): ResumeOptions {
    return {
      ...videoUrlPolicy(this.policy),
      signal: this.context.cancellationSignal,
      idleTimeoutMs: this.policy.idleTimeoutMs,
    };
  }

  private async restartFromZero(sink: VideoSink): Promise<void> {
    this.context.log.info('video changed on the server; restarting from zero', { taskId: this.input.taskId });
    this.etag = null;
    this.totalBytes = null;
    await sink.reset();
  }

  private async verifyAndCommit(sink: VideoSink): Promise<StoredVideo> {
    const bytes = sink.offset;
    if (this.totalBytes !== null && bytes !== this.totalBytes) {
      const what = `the download ended at ${bytes} of ${this.totalBytes} bytes`;
      throw new DownloadError('InvalidVideo', what, { retryable: true });
    }
    const stored = await sink.verifyAndCommit({ bytes, sha256: sink.sha256() });
    this.sink = undefined;
    await this.removeOtherPartials();
    return stored; // the workflow learns the end from the result: no progress signal needed
  }

  /** The attempt failed: its stop reason decides whether the sink's bytes are kept for the next attempt. */
  private async onFailure(error: unknown): Promise<void> {
    const sink = this.sink;
    if (!sink) return;
    let reason = stopReason(this.context.cancellationDetails, error);
    if (reason === 'zombie') {
      // When the attempt that replaced this one has stored the video, nothing will resume this
      // sink, which may be an upload this attempt opened after the live one cleaned up.
      const stored = await this.storedMeanwhile();
      this.context.log.info(
        stored
          ? 'this attempt was replaced on the server, and the video is stored: removing what this attempt left'
          : 'this attempt was replaced on the server; stopping without touching the download',
        { taskId: this.input.taskId, attempt: this.context.info.attempt, offset: sink.offset },
      );
      if (stored) reason = 'final';
    }
    await disposePartial(reason, {
      sink,
      checkpoint: () => this.checkpointer.checkpoint(this.position(sink)),
      removeOtherPartials: () => this.removeOtherPartials(),
    });
  }

  private async storedMeanwhile(): Promise<boolean> {
    return (await this.storage.find(this.input.fileName).catch(() => undefined)) !== undefined;
  }

  /** Deletes every leftover of this download (fileName, taskId) except this attempt's own sink. */
  private async removeOtherPartials(): Promise<void> {
    const { fileName, taskId } = this.input;
    await this.storage.discardPartials({ fileName, taskId, except: this.sink?.name });
  }

  private position(sink: VideoSink): DownloadPosition {
    return { sink, etag: this.etag, totalBytes: this.totalBytes };
  }
}

function isPermanentFrameRefusal(error: unknown): boolean {
  return (error instanceof SeedanceError && !error.retryable) || error instanceof StoredFileConflictError;
}
