/** Workflow type names, the default task queue and the workflow-id convention: what users script against. */

/** The task queue workers poll unless configured otherwise (`TEMPORAL_TASK_QUEUE`). */
export const DEFAULT_TASK_QUEUE = 'seedance-video';
/** Follows an existing task to a stored video. */
export const AWAIT_WORKFLOW_TYPE = 'awaitSeedanceVideo';
/** Creates a task (never twice), then follows it. */
export const GENERATE_WORKFLOW_TYPE = 'generateSeedanceVideo';
/** Runs many generations as child workflows, a few at once. */
export const GENERATE_BATCH_WORKFLOW_TYPE = 'generateSeedanceVideos';

/**
 * The queue that carries the activities calling the provider's API when the workers keep an API
 * budget (`SEEDANCE_API_RPS`): `<taskQueue>-api`, rate-limited by Temporal for the whole fleet.
 */
export function apiTaskQueueFor(taskQueue: string): string {
  return `${taskQueue}-api`;
}

/** The workflow id convention: one workflow follows one task. */
export function workflowIdForTask(taskId: string): string {
  return `seedance-${taskId}`;
}
