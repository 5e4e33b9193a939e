/**
 * Hands the `video_url` seen by `checkStatus` to the `downloadVideo` that follows on the same
 * worker, in memory only: the signed URL never enters history, and the download does not need a
 * second status GET right after the one that saw `completed` (the API asks for >= 10 s between
 * calls). A miss (another worker, a restart, an old entry) just reads the status again.
 */
export class VideoUrlCache {
  private readonly entries = new Map<string, { url: string; at: number }>();

  constructor(
    private readonly maxAgeMs = 5 * 60_000,
    private readonly maxEntries = 1_000,
  ) {}

  put(taskId: string, url: string, now = Date.now()): void {
    this.entries.delete(taskId);
    this.entries.set(taskId, { url, at: now });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Takes the URL out (one use): a second attempt reads a fresh one. */
  take(taskId: string, now = Date.now()): string | undefined {
    const entry = this.entries.get(taskId);
    this.entries.delete(taskId);
    return entry && now - entry.at <= this.maxAgeMs ? entry.url : undefined;
  }
}
