/**
 * How long this worker has seen tasks take, per model, resolution and tier: the last completions,
 * handed to new runs as quantiles (through `workerSettings`, so each run records what it was given
 * and replays with it). A run then spaces its checks by that distribution instead of the
 * documented range (`SEEDANCE_SCHEDULE=adaptive`).
 */
import { QUANTILE_STEPS, completionKey } from '../seedance/completion-model';

export interface CompletionStatsOptions {
  /** Completions kept per key (the newest). @default 500 */
  capacity?: number;
  /** Fewer completions than this say too little: no quantiles for the key. @default 20 */
  minSamples?: number;
}

export class CompletionStats {
  private readonly samples = new Map<string, number[]>();
  /** Tasks already counted (a task is seen completed by its check and again by the download's read). */
  private readonly counted = new Set<string>();
  private readonly capacity: number;
  private readonly minSamples: number;

  constructor(options: CompletionStatsOptions = {}) {
    this.capacity = options.capacity ?? 500;
    this.minSamples = options.minSamples ?? 20;
  }

  /** A task took `durationMs` from creation to completion. */
  record(
    task: { taskId: string; model: string; resolution?: string | null; serviceTier?: string | null },
    durationMs: number,
  ): void {
    if (!Number.isFinite(durationMs) || durationMs <= 0 || this.counted.has(task.taskId)) return;
    this.counted.add(task.taskId);
    if (this.counted.size > 10 * this.capacity) this.counted.delete(this.counted.values().next().value!);
    const key = completionKey(task.model, task.resolution, task.serviceTier);
    const list = this.samples.get(key) ?? [];
    list.push(durationMs);
    if (list.length > this.capacity) list.shift();
    this.samples.set(key, list);
  }

  /** Quantiles (every 5 %) of each key with enough completions. */
  quantiles(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [key, list] of this.samples) {
      if (list.length < this.minSamples) continue;
      const sorted = [...list].sort((a, b) => a - b);
      out[key] = Array.from({ length: QUANTILE_STEPS + 1 }, (_, k) => {
        const at = (k / QUANTILE_STEPS) * (sorted.length - 1);
        const lo = Math.floor(at);
        const hi = Math.min(sorted.length - 1, lo + 1);
        return Math.round(sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo));
      });
    }
    return out;
  }
}
