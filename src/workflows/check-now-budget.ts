/**
 * How many early status reads `checkNow` signals may cause. A signal is a hint (an operator's, or a
 * provider callback relayed by the receiver, which nobody signs): a few are honoured at once, then
 * one per refill interval, so a flood of forged callbacks costs a bounded number of reads and a
 * genuine one still wakes the run within a second. Pure, deterministic in its inputs.
 */
import type { CheckNowInput, TaskStatus } from '../contract/types';

export const CHECK_NOW_BURST = 3;
export const CHECK_NOW_REFILL_MS = 60_000;

export type CheckNowVerdict = 'check' | 'other-task' | 'not-final' | 'over-budget';

export class CheckNowBudget {
  private tokens: number;
  private refilledAtMs: number;

  constructor(
    nowMs: number,
    private readonly burst = CHECK_NOW_BURST,
    private readonly refillMs = CHECK_NOW_REFILL_MS,
  ) {
    this.tokens = burst;
    this.refilledAtMs = nowMs;
  }

  /**
   * Whether this signal should wake the run for a status read now. A hint about another task, or
   * one reporting a status that changes nothing for us (`queued`, `processing`), costs no read.
   */
  consider(input: CheckNowInput | undefined, ownTaskId: string | null, nowMs: number): CheckNowVerdict {
    if (input?.taskId !== undefined && ownTaskId !== null && input.taskId !== ownTaskId) return 'other-task';
    if (input?.status !== undefined && !worthARead(input.status)) return 'not-final';
    this.refill(nowMs);
    if (this.tokens < 1) return 'over-budget';
    this.tokens -= 1;
    return 'check';
  }

  private refill(nowMs: number): void {
    const earned = Math.floor((nowMs - this.refilledAtMs) / this.refillMs);
    if (earned <= 0) return;
    this.tokens = Math.min(this.burst, this.tokens + earned);
    this.refilledAtMs = this.tokens === this.burst ? nowMs : this.refilledAtMs + earned * this.refillMs;
  }
}

function worthARead(status: TaskStatus): boolean {
  return status !== 'queued' && status !== 'processing';
}
