/**
 * Where each item of a batch is: pending, running, or its outcome. It answers the `batchStatus`
 * query, builds the batch's result, and packs the finished items for the next run after
 * continue-as-new. Pure: no Temporal calls, so it is unit-tested outside the sandbox.
 */
import type {
  BatchItemOutcome,
  BatchItemPhase,
  SeedanceBatchResult,
  SeedanceBatchStatus,
  SeedanceVideoResult,
} from '../contract/types';

export interface BatchFailure {
  type: string | null;
  message: string;
}

/**
 * A finished item as the next run receives it. Nothing another field or the batch's id implies:
 * the child's id is `childId(i)` (`n: 1` when no child started), `c: 1` marks a cancelled item.
 */
export type CarriedOutcome = { i: number; v: SeedanceVideoResult } | { i: number; f: BatchFailure; c?: 1; n?: 1 };

/** What a run hands to the next after continue-as-new, beside the items still pending. */
export interface CarriedBatch {
  total: number;
  /** Runs so far, this one included. */
  run: number;
  done: CarriedOutcome[];
}

/** A failure message longer than this is cut: it is stored for every item, in history and the result. */
const MAX_MESSAGE_CHARS = 500;

export class BatchLedger {
  private readonly items: BatchItemOutcome[];
  readonly run: number;

  constructor(
    readonly total: number,
    readonly maxConcurrent: number,
    private readonly childId: (index: number) => string,
    carried?: CarriedBatch,
  ) {
    this.items = Array.from({ length: total }, (_, index) => ({ index, phase: 'pending' }));
    this.run = (carried?.run ?? 0) + 1;
    for (const done of carried?.done ?? []) this.items[done.i] = this.unpack(done);
  }

  /** The items no child has started for yet, in input order. */
  pendingIndexes(): number[] {
    return this.items.filter((o) => o.phase === 'pending').map((o) => o.index);
  }

  get running(): number {
    return this.count('running');
  }

  started(index: number): void {
    this.items[index] = { index, phase: 'running', workflowId: this.childId(index) };
  }

  completed(index: number, result: SeedanceVideoResult): void {
    this.items[index] = { index, phase: 'completed', workflowId: this.childId(index), result };
  }

  /** The item failed or was cancelled; `started` is false when its child never started. */
  ended(index: number, phase: 'failed' | 'cancelled', failure: BatchFailure, started: boolean): void {
    this.items[index] = {
      index,
      phase,
      workflowId: started ? this.childId(index) : null,
      failure: { type: failure.type, message: failure.message.slice(0, MAX_MESSAGE_CHARS) },
    };
  }

  /** After a cancel: the items never started are cancelled too. */
  cancelPending(reason: string): void {
    for (const index of this.pendingIndexes()) {
      this.ended(index, 'cancelled', { type: null, message: `not started: ${reason}` }, false);
    }
  }

  count(phase: BatchItemPhase): number {
    return this.items.reduce((n, o) => n + (o.phase === phase ? 1 : 0), 0);
  }

  counts(): Record<BatchItemPhase, number> {
    const counts = { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
    for (const o of this.items) counts[o.phase] += 1;
    return counts;
  }

  status(): SeedanceBatchStatus {
    return {
      total: this.total,
      counts: this.counts(),
      maxConcurrent: this.maxConcurrent,
      items: [...this.items],
      run: this.run,
    };
  }

  result(): SeedanceBatchResult {
    const counts = this.counts();
    return {
      total: this.total,
      completed: counts.completed,
      failed: counts.failed,
      cancelled: counts.cancelled,
      items: [...this.items],
    };
  }

  /** The finished items, packed; call only when no child runs (a running one would be lost). */
  carry(): CarriedBatch {
    if (this.running > 0) throw new Error('BatchLedger.carry: children are still running');
    const done: CarriedOutcome[] = [];
    for (const o of this.items) {
      if (o.phase === 'completed') done.push({ i: o.index, v: o.result });
      if (o.phase === 'failed' || o.phase === 'cancelled') {
        done.push({
          i: o.index,
          f: o.failure,
          ...(o.phase === 'cancelled' ? { c: 1 as const } : {}),
          ...(o.workflowId === null ? { n: 1 as const } : {}),
        });
      }
    }
    return { total: this.total, run: this.run, done };
  }

  /** Human words for the Web UI's current details. */
  describe(): string {
    const c = this.counts();
    const parts = [`${c.completed}/${this.total} completed`, `${c.running} running`, `${c.pending} pending`];
    if (c.failed > 0) parts.push(`${c.failed} failed`);
    if (c.cancelled > 0) parts.push(`${c.cancelled} cancelled`);
    return `Seedance batch: ${parts.join(', ')} (at most ${this.maxConcurrent} at once, run ${this.run})`;
  }

  private unpack(done: CarriedOutcome): BatchItemOutcome {
    if ('v' in done) return { index: done.i, phase: 'completed', workflowId: this.childId(done.i), result: done.v };
    return {
      index: done.i,
      phase: done.c ? 'cancelled' : 'failed',
      workflowId: done.n ? null : this.childId(done.i),
      failure: done.f,
    };
  }
}
