/**
 * Keys seen within the last `windowMs`, in bounded memory: a flood of identical callbacks costs one
 * signal per window (each signal is a history event), and a flood of distinct ones cannot grow
 * the map past `maxEntries` (the oldest are forgotten first, which costs at most an extra signal).
 */
export interface RecentKeysOptions {
  /** How long a key stays seen (default 5 s, ModelArk's acknowledgement timeout). */
  windowMs?: number;
  /** Most keys kept (default 4096). */
  maxEntries?: number;
}

export const DEFAULT_DEDUPE_WINDOW_MS = 5_000;
export const DEFAULT_DEDUPE_MAX_ENTRIES = 4_096;

export class RecentKeys {
  readonly windowMs: number;
  readonly maxEntries: number;
  /** Key -> when it was added, in insertion order: the oldest first. */
  private readonly added = new Map<string, number>();

  constructor(options: RecentKeysOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
    this.maxEntries = options.maxEntries ?? DEFAULT_DEDUPE_MAX_ENTRIES;
    if (!(this.windowMs >= 0) || !Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError('RecentKeys needs windowMs >= 0 and a whole maxEntries >= 1');
    }
  }

  /** Whether `key` was added less than `windowMs` before `nowMs`. */
  has(key: string, nowMs: number): boolean {
    const at = this.added.get(key);
    return at !== undefined && nowMs - at < this.windowMs;
  }

  /** Starts a window for `key` at `nowMs` (a fixed window: seeing the key again does not extend it). */
  add(key: string, nowMs: number): void {
    this.added.delete(key);
    this.added.set(key, nowMs);
    // Keys are added at a clock that only moves forward, so the expired ones are at the front.
    for (const [oldest, at] of this.added) {
      if (this.added.size <= this.maxEntries && nowMs - at < this.windowMs) break;
      this.added.delete(oldest);
    }
  }

  get size(): number {
    return this.added.size;
  }
}
