/**
 * One item of a batch as a `generateSeedanceVideo` child: its id, its Web UI summary and details,
 * and how its end reads as an outcome.
 */
import {
  ApplicationFailure,
  ChildWorkflowCancellationType,
  ChildWorkflowFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  isCancellation,
  type ChildWorkflowOptions,
} from '@temporalio/workflow';
import { FailureType } from '../contract/failures';
import { markdownCode, seedanceStaticMetadata, type SeedanceStaticMetadata } from '../contract/static-metadata';
import type { GenerateSeedanceVideoInput } from '../contract/types';
import type { BatchFailure } from './batch-ledger';

/** The child's workflow id: the same item of the same batch always gets the same id. */
export function batchChildId(batchWorkflowId: string, index: number): string {
  return `${batchWorkflowId}/item-${index}`;
}

/**
 * The child's Web UI summary and details: those of any generating run (`seedanceStaticMetadata`:
 * model, the prompt's first words, file name), and the batch and item it belongs to.
 */
export function batchChildMetadata(
  batchWorkflowId: string,
  index: number,
  total: number,
  input: GenerateSeedanceVideoInput,
): SeedanceStaticMetadata {
  const { staticSummary, staticDetails } = seedanceStaticMetadata(input);
  const batch = `- Batch: ${markdownCode(batchWorkflowId)}, item ${index} (${index + 1} of ${total})`;
  return { staticSummary, staticDetails: `${staticDetails}\n${batch}` };
}

/**
 * - WAIT_CANCELLATION_COMPLETED: a cancelled batch waits until each child has stopped and removed
 *   its partial file, so the batch's end reports every item's real end.
 * - REQUEST_CANCEL: a batch that ends any other way (terminated, timed out) stops its children
 *   cleanly. A continue-as-new closes the run too, so the batch only continues with no child running.
 * - REJECT_DUPLICATE: an item's id never starts a second video, even after the first one closed
 *   (a reset or a retried batch would otherwise pay for it again).
 */
export const BATCH_CHILD_DEFAULTS = {
  cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
  parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
  workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
} satisfies ChildWorkflowOptions;

/** How a child's end (or its failed start) reads as an item's outcome. */
export function childOutcome(error: unknown): { phase: 'failed' | 'cancelled'; failure: BatchFailure } {
  const cause = error instanceof ChildWorkflowFailure && error.cause ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    const phase = cause.type === FailureType.WorkflowCancelled ? 'cancelled' : 'failed';
    return { phase, failure: { type: cause.type ?? null, message: cause.message } };
  }
  const name = cause instanceof Error ? cause.name : 'Error';
  const message = cause instanceof Error ? cause.message : String(cause);
  return { phase: isCancellation(error) ? 'cancelled' : 'failed', failure: { type: name, message } };
}
