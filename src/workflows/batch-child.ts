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
import type { VideoRequest } from '../seedance/video-request';
import type { BatchFailure } from './batch-ledger';

/** The child's workflow id: the same item of the same batch always gets the same id. */
export function batchChildId(batchWorkflowId: string, index: number): string {
  return `${batchWorkflowId}/item-${index}`;
}

/** Words of the prompt in a summary; the summary is one line of the workflow list. */
const SUMMARY_WORDS = 8;
const SUMMARY_PROMPT_CHARS = 60;
const DETAILS_PROMPT_CHARS = 300;

function promptOf(request: VideoRequest): string {
  const text = request.content.find((item) => item.type === 'text');
  if (text) return text.text.replace(/\s+/g, ' ').trim();
  const draft = request.content.find((item) => item.type === 'draft_task');
  return draft ? `final render of draft ${draft.draft_task.id}` : '';
}

function cut(text: string, words: number, chars: number): string {
  const first = text.split(' ').slice(0, words).join(' ');
  const short = first.length > chars ? first.slice(0, chars).trimEnd() : first;
  return short.length < text.length ? `${short}…` : short;
}

/** `720p` from the request (ModelArk's `resolution`) or the model name (`seedance_1_5_pro_720p`), else the model. */
function resolutionOf(request: VideoRequest): string {
  return request.resolution ?? /(480p|720p|1080p)$/.exec(request.model)?.[1] ?? request.model;
}

/** The one-line summary of a video's run in the Web UI's workflow list: `Seedance 720p: a red fox running…`. */
export function videoRunSummary(request: VideoRequest): string {
  return `Seedance ${resolutionOf(request)}: ${cut(promptOf(request), SUMMARY_WORDS, SUMMARY_PROMPT_CHARS)}`;
}

/** The run's details in the Web UI (Temporal markdown): batch, item, model, file, prompt. Image URLs never. */
export function batchChildDetails(
  batchWorkflowId: string,
  index: number,
  total: number,
  request: VideoRequest,
  fileName: string | undefined,
): string {
  return [
    `**Batch** ${batchWorkflowId}, item ${index} (${index + 1} of ${total})`,
    `**Model** ${request.model}${request.resolution ? ` (${request.resolution})` : ''}`,
    `**File** ${fileName ?? '<taskId>.mp4'}`,
    `**Prompt** ${cut(promptOf(request), Number.POSITIVE_INFINITY, DETAILS_PROMPT_CHARS)}`,
  ].join('\n');
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
