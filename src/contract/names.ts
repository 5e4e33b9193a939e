/** Workflow type names, the default task queue and the workflow-id convention: what users script against. */

/** The task queue workers poll unless configured otherwise (`TEMPORAL_TASK_QUEUE`). */
export const DEFAULT_TASK_QUEUE = 'seedance-video';
/** Follows an existing task to a stored video. */
export const AWAIT_WORKFLOW_TYPE = 'awaitSeedanceVideo';
/** Creates a task (never twice), then follows it. */
export const GENERATE_WORKFLOW_TYPE = 'generateSeedanceVideo';

/** The workflow id convention: one workflow follows one task. */
export function workflowIdForTask(taskId: string): string {
  return `seedance-${taskId}`;
}
