/**
 * Child-workflow helpers for parent workflows, typed by function reference: import them from
 * `seedance-temporal/workflows` in your workflow code.
 *
 * @example
 * import { executeSeedanceVideo } from 'seedance-temporal/workflows';
 * export async function publishClip(taskId: string): Promise<string> {
 *   const { video } = await executeSeedanceVideo({ taskId });
 *   return video.uri;
 * }
 *
 * Defaults, each overridable in `options`:
 * - `taskQueue`: `seedance-video`, where `npm run worker` polls. If your own worker runs the
 *   Seedance workflows (see `seedanceWorkerOptions`), pass its queue, e.g. `workflowInfo().taskQueue`.
 * - `workflowId`: `seedance-<taskId>` for a task you follow (one task, one workflow: starting a
 *   second child for the same running task fails with `WorkflowExecutionAlreadyStartedError`);
 *   `<parent id>/seedance-generate-<n>` for a generation, deterministic across replays.
 * - `cancellationType`: WAIT_CANCELLATION_COMPLETED: cancelling the parent's scope waits until the
 *   child has stopped polling and removed its partial download.
 * - `parentClosePolicy`: REQUEST_CANCEL: a video nobody waits for any more is stopped cleanly
 *   (partial file removed), not terminated mid-write as with the SDK's default TERMINATE.
 * - `staticSummary` / `staticDetails`: what the Web UI lists for the child (task, model, the
 *   prompt's first words), from `seedanceStaticMetadata`.
 */
import {
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  executeChild,
  startChild,
  uuid4,
  workflowInfo,
  type ChildWorkflowHandle,
  type ChildWorkflowOptions,
} from '@temporalio/workflow';
import { DEFAULT_TASK_QUEUE, workflowIdForTask } from '../contract/names';
import { seedanceStaticMetadata } from '../contract/static-metadata';
import type { AwaitSeedanceVideoInput, GenerateSeedanceVideoInput, SeedanceVideoResult } from '../contract/types';
import { awaitSeedanceVideo, generateSeedanceVideo } from './workflows';

/** Child options you may set; `args` come from the input. */
export type SeedanceChildOptions = Omit<ChildWorkflowOptions, 'args' | 'typeInfo'>;

const CHILD_DEFAULTS = {
  taskQueue: DEFAULT_TASK_QUEUE,
  cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
  parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
} satisfies ChildWorkflowOptions;

function awaitOptions(input: AwaitSeedanceVideoInput, options: SeedanceChildOptions) {
  return {
    ...CHILD_DEFAULTS,
    workflowId: workflowIdForTask(input.taskId),
    ...seedanceStaticMetadata(input),
    ...options,
    args: [input] as [typeof input],
  };
}

function generateOptions(input: GenerateSeedanceVideoInput, options: SeedanceChildOptions) {
  const workflowId = `${workflowInfo().workflowId}/seedance-generate-${uuid4()}`;
  return {
    ...CHILD_DEFAULTS,
    workflowId,
    ...seedanceStaticMetadata(input),
    ...options,
    args: [input] as [typeof input],
  };
}

/** Follows an existing task to a stored video as a child workflow, and returns its result. */
export function executeSeedanceVideo(
  input: AwaitSeedanceVideoInput,
  options: SeedanceChildOptions = {},
): Promise<SeedanceVideoResult> {
  return executeChild(awaitSeedanceVideo, awaitOptions(input, options));
}

/** Starts the child that follows an existing task; await `handle.result()` later, signal it meanwhile. */
export function startSeedanceVideoChild(
  input: AwaitSeedanceVideoInput,
  options: SeedanceChildOptions = {},
): Promise<ChildWorkflowHandle<typeof awaitSeedanceVideo>> {
  return startChild(awaitSeedanceVideo, awaitOptions(input, options));
}

/** Creates a task (never twice) and follows it to a stored video as a child workflow. */
export function executeGenerateSeedanceVideo(
  input: GenerateSeedanceVideoInput,
  options: SeedanceChildOptions = {},
): Promise<SeedanceVideoResult> {
  return executeChild(generateSeedanceVideo, generateOptions(input, options));
}

/** Starts a generating child; await `handle.result()` later. */
export function startGenerateSeedanceVideoChild(
  input: GenerateSeedanceVideoInput,
  options: SeedanceChildOptions = {},
): Promise<ChildWorkflowHandle<typeof generateSeedanceVideo>> {
  return startChild(generateSeedanceVideo, generateOptions(input, options));
}
