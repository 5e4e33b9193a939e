/**
 * Hands the `video_url` (and the `last_frame_url`, when the task has one) seen by `checkStatus` to
 * the `downloadVideo` that follows on the same worker, in memory only: the signed URLs never enter
 * history, and the download does not need a second status GET right after the one that saw
 * `completed` (the API asks for >= 10 s between calls). A miss (another worker, a restart, an old
 * entry) just reads the status again.
 */

/** A completed task's signed URLs. */
export interface TaskUrls {
  videoUrl: string;
  /** Absent when the task has no last frame (or this entry predates it). */
  lastFrameUrl?: string;
}

export class VideoUrlCache {
  private readonly entries = new Map<string, { urls: TaskUrls; at: number }>();

  constructor(
    private readonly maxAgeMs = 5 * 60_000,
    private readonly maxEntries = 1_000,
  ) {}

  /** Keeps the task's URLs: the video URL alone, or with the last-frame URL. */
  put(taskId: string, urls: string | TaskUrls, now = Date.now()): void {
    this.entries.delete(taskId);
    this.entries.set(taskId, { urls: typeof urls === 'string' ? { videoUrl: urls } : { ...urls }, at: now });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Takes the video URL out (one use): a second attempt reads a fresh one. */
  take(taskId: string, now = Date.now()): string | undefined {
    return this.takeUrls(taskId, now)?.videoUrl;
  }

  /** Takes the task's URLs out (one use), the last-frame URL with the video URL. */
  takeUrls(taskId: string, now = Date.now()): TaskUrls | undefined {
    const entry = this.entries.get(taskId);
    this.entries.delete(taskId);
    return entry && now - entry.at <= this.maxAgeMs ? entry.urls : undefined;
  }
}
