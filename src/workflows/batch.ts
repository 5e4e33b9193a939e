/**
 * `generateSeedanceVideos`: many generations as `generateSeedanceVideo` children, at most
 * `maxConcurrent` at once. One failed item does not fail the batch: its outcome holds the typed
 * failure. Large batches continue as new once no child runs, carrying only the finished items'
 * outcomes and the items still pending. Cancelling the batch (`temporal workflow cancel`, or the
 * `cancel` signal) cancels its children, which remove their partial files, and marks every item
 * not finished as cancelled.
 */
import {
  CancellationScope,
  CancelledFailure,
  condition,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  setCurrentDetails,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { batchStatusQuery, cancelSignal } from '../contract/definitions';
import { FailureType } from '../contract/failures';
import { GENERATE_BATCH_WORKFLOW_TYPE } from '../contract/names';
import type { GenerateSeedanceVideoInput, GenerateSeedanceVideosInput, SeedanceBatchResult } from '../contract/types';
import { BATCH_CHILD_DEFAULTS, batchChildId, batchChildMetadata, childOutcome } from './batch-child';
import { parseBatchInput, type ParsedBatchInput } from './batch-input';
import { BatchLedger, type CarriedBatch } from './batch-ledger';
import { nonRetryable } from './failure';
import { generateSeedanceVideo } from './workflows';

/**
 * Past this many history events the batch stops starting children and continues as new once the
 * running ones end, unless the server suggests it first (near 4,096 events). About seven events
 * per item (365 for 50 items, measured): some 550 items a run.
 */
const HISTORY_EVENTS_BEFORE_CONTINUE = 4_000;

/** Internal input fields, not for callers (and not in the README). */
interface BatchInternalInput {
  /** What a run hands to the next after continue-as-new; `items` then holds only the pending ones. */
  resume?: CarriedBatch;
  /** Tests only: continue as new past this many history events (see `TestOnlyInput`). */
  historyEventsBeforeContinue?: number;
}

const MAX_REASON_CHARS = 200;

/**
 * Runs every item as a `generateSeedanceVideo` child, `maxConcurrent` at a time, and returns each
 * item's stored video or typed failure in input order.
 *
 * @example
 * temporal workflow start --type generateSeedanceVideos --task-queue seedance-video \
 *   --workflow-id batch-foxes --input-file examples/batch.json
 */
export async function generateSeedanceVideos(input: GenerateSeedanceVideosInput): Promise<SeedanceBatchResult> {
  const { resume, historyEventsBeforeContinue } = (input ?? {}) as BatchInternalInput;
  const batchId = workflowInfo().workflowId;
  const total = resume?.total ?? (Array.isArray(input?.items) ? input.items.length : 0);
  const childId = (index: number) => batchChildId(batchId, index);
  const ledgerOf = (maxConcurrent: number) => new BatchLedger(total, maxConcurrent, childId, resume);
  // A continued run's `items` are the pending ones: position i is the batch's item pending[i].
  const pending = resume ? ledgerOf(1).pendingIndexes() : [];
  const parsed = parseBatchInput(input, (i) => (resume ? (pending[i] ?? i) : i));
  if (resume && pending.length !== parsed.items.length) {
    throw nonRetryable(FailureType.InvalidInput, 'the carried batch state does not match its pending items');
  }
  const ledger = ledgerOf(parsed.maxConcurrent);
  const batch = new BatchRun(batchId, parsed, ledger, continueLimit(historyEventsBeforeContinue));
  setHandler(batchStatusQuery, () => ledger.status());
  setHandler(cancelSignal, (cancel) => batch.cancelBySignal(cancel?.reason));
  setCurrentDetails(ledger.describe());

  await batch.run();
  if (ledger.pendingIndexes().length > 0) {
    const next = ledger.pendingIndexes().map((index) => batch.itemAt(index));
    log.info('batch continues as new', { run: ledger.run, pending: next.length, events: workflowInfo().historyLength });
    return makeContinueAsNewFunc<typeof generateSeedanceVideos>({ workflowType: GENERATE_BATCH_WORKFLOW_TYPE })({
      items: next,
      maxConcurrent: parsed.maxConcurrent,
      ...(parsed.deadline !== undefined ? { deadline: parsed.deadline } : {}),
      ...(historyEventsBeforeContinue !== undefined ? { historyEventsBeforeContinue } : {}),
      resume: ledger.carry(),
    } as GenerateSeedanceVideosInput);
  }
  return ledger.result();
}

function continueLimit(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : HISTORY_EVENTS_BEFORE_CONTINUE;
}

class BatchRun {
  /** Cancelled by the `cancel` signal; a cancel request of the workflow cancels it too (its parent). */
  private readonly scope = new CancellationScope();
  private cancelReason: string | undefined;
  /** Each running child's whole life (start, result, outcome recorded): never rejects. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly byIndex: Map<number, ParsedBatchInput['items'][number]>;

  constructor(
    private readonly batchId: string,
    private readonly input: ParsedBatchInput,
    private readonly ledger: BatchLedger,
    private readonly historyEventsBeforeContinue: number,
  ) {
    const indexes = ledger.pendingIndexes();
    this.byIndex = new Map(input.items.map((item, i) => [indexes[i]!, item]));
  }

  itemAt(index: number): ParsedBatchInput['items'][number] {
    return this.byIndex.get(index)!;
  }

  cancelBySignal(reason: string | undefined): void {
    if (this.cancelReason !== undefined) return;
    this.cancelReason = (reason ?? 'no reason given').slice(0, MAX_REASON_CHARS);
    log.info('batch cancel signal received', { reason: this.cancelReason });
    this.scope.cancel();
  }

  /**
   * Starts the pending items as slots free up, until none is left or the history asks for a new
   * run, then waits for the running children. On a cancel, waits until every child has stopped.
   */
  async run(): Promise<void> {
    try {
      await this.scope.run(() => this.startAndWait());
    } catch (error) {
      if (!isCancellation(error)) throw error;
      await this.endCancelled(error);
    }
    // A cancel handled in the run's last activation, after the last await in the scope.
    if (this.scope.consideredCancelled) await this.endCancelled(new CancelledFailure('the batch was cancelled'));
  }

  private async startAndWait(): Promise<void> {
    const max = this.input.maxConcurrent;
    let startedThisRun = 0;
    for (const index of this.ledger.pendingIndexes()) {
      if (this.ledger.running >= max) await condition(() => this.ledger.running < max);
      // Each run starts at least one wave, so even a tiny limit makes progress.
      if (startedThisRun >= max && this.historyIsLong()) break;
      startedThisRun += 1;
      const life = this.runItem(index);
      this.inFlight.add(life);
      void life.then(() => this.inFlight.delete(life));
    }
    await condition(() => this.ledger.running === 0);
  }

  private historyIsLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= this.historyEventsBeforeContinue;
  }

  private async runItem(index: number): Promise<void> {
    this.ledger.started(index);
    setCurrentDetails(this.ledger.describe());
    let started = false;
    try {
      const input = this.childInput(index);
      const handle = await startChild(generateSeedanceVideo, {
        ...BATCH_CHILD_DEFAULTS,
        workflowId: batchChildId(this.batchId, index),
        ...batchChildMetadata(this.batchId, index, this.ledger.total, input),
        args: [input],
      });
      started = true;
      this.ledger.completed(index, await handle.result());
    } catch (error) {
      const { phase, failure } = childOutcome(error);
      this.ledger.ended(index, phase, failure, started);
      if (phase === 'failed') log.warn('batch item failed', { index, type: failure.type });
    }
    setCurrentDetails(this.ledger.describe());
  }

  private childInput(index: number): GenerateSeedanceVideoInput {
    const { request, fileName } = this.itemAt(index);
    const { deadline } = this.input;
    return { request, ...(fileName ? { fileName } : {}), ...(deadline !== undefined ? { deadline } : {}) };
  }

  /**
   * Every running child was asked to cancel with the scope (WAIT_CANCELLATION_COMPLETED): wait for
   * them all to end (plain promises: waiting on them is allowed in a cancelled scope), mark the
   * items never started, then end as the cancel asks: a workflow cancel request ends the batch
   * Canceled, our signal with `SeedanceWorkflowCancelled`.
   */
  private async endCancelled(error: unknown): Promise<never> {
    await Promise.all(this.inFlight);
    const reason =
      this.cancelReason === undefined ? 'the batch was cancelled' : `cancelled by signal: ${this.cancelReason}`;
    this.ledger.cancelPending(reason);
    setCurrentDetails(`Cancelled. ${this.ledger.describe()}`);
    if (this.cancelReason !== undefined && !CancellationScope.current().consideredCancelled) {
      const counts = this.ledger.counts();
      throw nonRetryable(
        FailureType.WorkflowCancelled,
        `batch ${reason}: ${counts.cancelled} of ${this.ledger.total} items cancelled, ${counts.completed} completed, ${counts.failed} failed`,
        { reason: this.cancelReason, counts },
      );
    }
    throw error;
  }
}
