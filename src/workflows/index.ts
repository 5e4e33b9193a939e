/**
 * Workflow bundle entry point: everything here runs in Temporal's deterministic sandbox.
 * Parent workflows can import the types and names from here (or call by name:
 * `executeChild<typeof awaitSeedanceVideo>('awaitSeedanceVideo', ...)`).
 */
export { awaitSeedanceVideo, generateSeedanceVideo } from './workflows';
export {
  cancelSignal,
  checkNowSignal,
  statusQuery,
  downloadProgressSignal,
  SeedanceTaskId,
  SeedanceModel,
  SeedanceStatus,
  DEFAULT_TASK_QUEUE,
  AWAIT_WORKFLOW_TYPE,
  GENERATE_WORKFLOW_TYPE,
  workflowIdForTask,
} from './definitions';
export type { SeedanceStatusValue } from './definitions';
export type * from './types';
