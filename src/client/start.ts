/**
 * Typed starters for Temporal clients: the workflow-id convention, the default task queue and a
 * start that is safe to repeat, without writing a workflow name or an id by hand.
 *
 * @example
 * const handle = await startSeedanceVideo(client, { taskId: 'video_abc123' });
 * const { video } = await handle.result();
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId, WorkflowStartOptions } from '@temporalio/client';
import {
  AWAIT_WORKFLOW_TYPE,
  DEFAULT_TASK_QUEUE,
  GENERATE_BATCH_WORKFLOW_TYPE,
  GENERATE_WORKFLOW_TYPE,
  workflowIdForTask,
} from '../contract/names';
import { seedanceBatchStaticMetadata, seedanceStaticMetadata } from '../contract/static-metadata';
import type {
  AwaitSeedanceVideoInput,
  AwaitSeedanceVideoWorkflow,
  GenerateSeedanceVideoInput,
  GenerateSeedanceVideoWorkflow,
  GenerateSeedanceVideosInput,
  GenerateSeedanceVideosWorkflow,
} from '../contract/types';

/** Start options you may set; `args` come from the input. */
export type SeedanceStartOptions = Partial<Omit<WorkflowStartOptions, 'args'>>;

/**
 * Starts `awaitSeedanceVideo` for an existing task, as workflow `seedance-<taskId>` on
 * `seedance-video` unless `options` say otherwise.
 *
 * `workflowIdConflictPolicy` defaults to `USE_EXISTING`: one task is followed by one workflow,
 * so starting again while it runs returns the running workflow's handle instead of failing, and a
 * retried start call is harmless. After it closed, a new start follows the task again (a stored
 * video is reused, not downloaded twice).
 *
 * The run gets a static summary and details for the Web UI (task, model, file name; see
 * `seedanceStaticMetadata`); `options.staticSummary` / `staticDetails` replace them.
 */
export function startSeedanceVideo(
  client: Client,
  input: AwaitSeedanceVideoInput,
  options: SeedanceStartOptions = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<AwaitSeedanceVideoWorkflow>> {
  return client.workflow.start<AwaitSeedanceVideoWorkflow>(AWAIT_WORKFLOW_TYPE, {
    taskQueue: DEFAULT_TASK_QUEUE,
    workflowId: workflowIdForTask(input.taskId),
    workflowIdConflictPolicy: 'USE_EXISTING',
    ...seedanceStaticMetadata(input),
    ...options,
    args: [input],
  });
}

/**
 * Starts `generateSeedanceVideo`: creates a task (a paid request) and follows it.
 *
 * Pass your own `workflowId` derived from your request (an order id, a content hash): with the
 * default `USE_EXISTING` policy a repeated start with the same id returns the running workflow
 * instead of paying for a second video. Without one, each call starts a new generation under
 * `seedance-generate-<uuid>`.
 *
 * The run's static summary names the model and the prompt's first words (`Seedance 720p: a red
 * fox running through snow…`), its details the whole request; `options` may replace them.
 */
export function startGenerateSeedanceVideo(
  client: Client,
  input: GenerateSeedanceVideoInput,
  options: SeedanceStartOptions = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<GenerateSeedanceVideoWorkflow>> {
  return client.workflow.start<GenerateSeedanceVideoWorkflow>(GENERATE_WORKFLOW_TYPE, {
    taskQueue: DEFAULT_TASK_QUEUE,
    workflowId: `seedance-generate-${crypto.randomUUID()}`,
    workflowIdConflictPolicy: 'USE_EXISTING',
    ...seedanceStaticMetadata(input),
    ...options,
    args: [input],
  });
}

/**
 * Starts `generateSeedanceVideos`: every item a `generateSeedanceVideo` child (each creates a paid
 * task), at most `maxConcurrent` at once; `batchStatus` tells the progress.
 *
 * As with one video, pass your own `workflowId` to make the start safe to repeat: with the default
 * `USE_EXISTING` policy a second start returns the running batch, and its items' ids
 * (`<batch id>/item-<n>`) never start twice. Without one: `seedance-batch-<uuid>`.
 *
 * The run's static summary counts the videos (`Seedance batch: 50 videos, at most 10 at once`), its
 * details name the models and the first prompts; `options` may replace them.
 */
export function startGenerateSeedanceVideos(
  client: Client,
  input: GenerateSeedanceVideosInput,
  options: SeedanceStartOptions = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<GenerateSeedanceVideosWorkflow>> {
  return client.workflow.start<GenerateSeedanceVideosWorkflow>(GENERATE_BATCH_WORKFLOW_TYPE, {
    taskQueue: DEFAULT_TASK_QUEUE,
    workflowId: `seedance-batch-${crypto.randomUUID()}`,
    workflowIdConflictPolicy: 'USE_EXISTING',
    ...seedanceBatchStaticMetadata(input),
    ...options,
    args: [input],
  });
}

/** The handle of the workflow that follows `taskId` (by the id convention). */
export function getSeedanceVideoHandle(client: Client, taskId: string) {
  return client.workflow.getHandle<AwaitSeedanceVideoWorkflow>(workflowIdForTask(taskId));
}
