/**
 * Detects a download that trickles: fewer than `bytesPerSecond` on average over the last
 * `windowMs`. Pure (time is passed in) so it is unit-tested without waiting.
 */
export class LowSpeedMonitor {
  private samples: Array<{ at: number; bytes: number }> = [];

  constructor(
    private readonly bytesPerSecond: number,
    private readonly windowMs: number,
    private readonly startedAt: number,
  ) {}

  record(bytes: number, now: number): void {
    this.samples.push({ at: now, bytes });
    const cutoff = now - this.windowMs;
    while (this.samples.length > 0 && this.samples[0]!.at < cutoff) this.samples.shift();
  }

  /** True once a whole window has passed with too few bytes in it. */
  tooSlow(now: number): boolean {
    if (now - this.startedAt < this.windowMs) return false;
    const cutoff = now - this.windowMs;
    const bytes = this.samples.reduce((sum, s) => (s.at >= cutoff ? sum + s.bytes : sum), 0);
    return bytes < (this.bytesPerSecond * this.windowMs) / 1000;
  }
}
