/**
 * The public contract of seedance-temporal: workflow names, inputs and results, signals, the
 * status query, search attributes and failure types. Workflow-safe and free of Node, so a client,
 * a parent workflow and the package's own workers all import the same definitions from here
 * (`seedance-temporal/contract`, also re-exported by the package root).
 */
export {
  DEFAULT_TASK_QUEUE,
  AWAIT_WORKFLOW_TYPE,
  GENERATE_WORKFLOW_TYPE,
  GENERATE_BATCH_WORKFLOW_TYPE,
  workflowIdForTask,
} from './names';
export {
  cancelSignal,
  checkNowSignal,
  statusQuery,
  batchStatusQuery,
  SeedanceTaskIdKey,
  SeedanceModelKey,
  SeedanceStatusKey,
  SEARCH_ATTRIBUTE_KEYS,
} from './definitions';
/** @internal */
export { downloadProgressSignal } from './definitions';
export { BATCH_DEFAULT_MAX_CONCURRENT, BATCH_MAX_CONCURRENT, BATCH_MAX_ITEMS } from './batch-limits';
export { FAILURES, FailureType, NON_RETRYABLE_TYPES, isFailureType } from './failures';
export { seedanceStaticMetadata, seedanceBatchStaticMetadata } from './static-metadata';
export type { SeedanceStaticMetadata } from './static-metadata';
export type { FailureKind, FailureSpec, PerCaseFailureKind } from './failures';
export type {
  AwaitSeedanceVideoInput,
  AwaitSeedanceVideoWorkflow,
  BatchItem,
  BatchItemOutcome,
  BatchItemPhase,
  CancelInput,
  CancelOutcome,
  CheckNowInput,
  CreateVideoRequest,
  DownloadProgress,
  GenerateSeedanceVideoInput,
  GenerateSeedanceVideoWorkflow,
  GenerateSeedanceVideosInput,
  GenerateSeedanceVideosWorkflow,
  SeedanceBatchResult,
  SeedanceBatchStatus,
  SeedanceStatusValue,
  SeedanceVideoResult,
  SeedanceVideoStatus,
  RemoteCancelReport,
  ServiceTier,
  StoredVideo,
  TaskStatus,
  TokenUsage,
  VideoRequest,
  WorkflowPhase,
} from './types';
