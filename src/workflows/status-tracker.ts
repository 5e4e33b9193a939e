/**
 * What a run shows and hears: the `status` query's answer, the `cancel` and `checkNow` signals,
 * the search attributes, and how the run's end becomes the workflow's outcome. Installed first
 * thing in a run so queries and signals work at every point.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { FailureType } from '../contract/failures';
import { nonRetryable } from './failure';
import {
  SeedanceModelKey,
  SeedanceStatusKey,
  SeedanceTaskIdKey,
  cancelSignal,
  checkNowSignal,
  downloadProgressSignal,
  statusQuery,
} from '../contract/definitions';
import type { SeedanceStatusValue, SeedanceVideoStatus } from '../contract/types';

export class StatusTracker {
  readonly status: SeedanceVideoStatus;
  cancelReason: string | undefined;
  checkNowRequested = false;
  searchAttributes = false;
  readonly scope = new CancellationScope();

  constructor(taskId: string | null, model: string | null) {
    this.status = {
      phase: 'checking',
      taskId,
      model,
      remoteStatus: null,
      checks: 0,
      lastCheckedAt: null,
      nextCheckAt: null,
    };
    setHandler(statusQuery, () => this.status);
    setHandler(checkNowSignal, () => {
      this.checkNowRequested = true;
    });
    setHandler(cancelSignal, (input) => {
      if (this.cancelReason !== undefined) return;
      this.cancelReason = boundedReason(input?.reason);
      log.info('cancel signal received', { taskId: this.status.taskId, reason: this.cancelReason });
      this.scope.cancel();
    });
    setHandler(downloadProgressSignal, (progress) => {
      if (this.status.phase === 'downloading') this.status.download = progress;
    });
  }

  upsert(status: SeedanceStatusValue): void {
    if (!this.searchAttributes) return;
    const { taskId, model } = this.status;
    upsertSearchAttributes([
      ...(taskId ? [{ key: SeedanceTaskIdKey, value: taskId }] : []),
      ...(model ? [{ key: SeedanceModelKey, value: model }] : []),
      { key: SeedanceStatusKey, value: status },
    ]);
  }

  /**
   * Runs `body` in the cancellable scope and turns its end into the workflow's outcome: our
   * `cancel` signal becomes `SeedanceWorkflowCancelled`, a workflow cancel request stays a
   * cancellation (the run ends Canceled), activity failures keep their type.
   */
  async run<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await this.scope.run(body);
    } catch (error) {
      // Not an end: the next run takes over, and this run's `status` answers no more queries.
      if (error instanceof ContinueAsNew) throw error;
      if (isCancellation(error)) {
        this.status.phase = 'cancelled';
        this.upsert('cancelled');
        setCurrentDetails(`Cancelled${this.cancelReason ? `: ${this.cancelReason}` : ''}`);
        if (this.cancelReason !== undefined && !CancellationScope.current().consideredCancelled) {
          throw nonRetryable(FailureType.WorkflowCancelled, `cancelled by signal: ${this.cancelReason}`, {
            reason: this.cancelReason,
          });
        }
        throw error;
      }
      if (this.status.phase !== 'completed') this.status.phase = 'failed';
      throw asWorkflowFailure(error);
    }
  }
}

/** Re-throws an activity's typed failure as the workflow's own, so callers see its type at the top. */
export function asWorkflowFailure(error: unknown): unknown {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type) {
    return ApplicationFailure.create({
      type: error.cause.type,
      message: error.cause.message,
      nonRetryable: true,
      details: error.cause.details as unknown[] | undefined,
      cause: error,
    });
  }
  return error;
}

function boundedReason(reason: unknown): string {
  if (typeof reason !== 'string' || reason.trim() === '') return 'no reason given';
  return reason.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 500);
}
