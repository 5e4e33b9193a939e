/**
 * seedance-temporal: Seedance 1.5 video generation as durable Temporal workflows.
 *
 * Worker side (this module): the activities, a ready worker, the providers (the reseller API and
 * BytePlus ModelArk behind one port), the callback receiver, storage and the contract (names,
 * types, signals, failure types). Workflow side: `seedance-temporal/workflows`
 * (safe to import in workflow code); the contract alone: `seedance-temporal/contract`;
 * OpenTelemetry traces: `seedance-temporal/tracing`.
 */
export * from './contract';
export { createActivities, DEFAULT_DOWNLOAD_POLICY } from './activities';
export type {
  Activities,
  ActivityDependencies,
  DownloadPolicy,
  DownloadVideoInput,
  ProviderDependency,
  ProviderSettings,
  SeedanceApi,
  TaskSnapshot,
} from './activities';
export {
  createSeedanceWorker,
  seedanceWorkerOptions,
  WORKFLOWS_PATH,
  MAX_HEARTBEAT_THROTTLE_INTERVAL,
  DEFAULT_SHUTDOWN_GRACE_TIME_MS,
  type SeedanceWorkerOptions,
  type SeedanceWorkerDependencies,
  type SeedanceWorkerOptionSet,
} from './create-worker';
export {
  startSeedanceVideo,
  startGenerateSeedanceVideo,
  startGenerateSeedanceVideos,
  getSeedanceVideoHandle,
  type SeedanceStartOptions,
} from './client';
export { loadWorkerConfig, ConfigError, type WorkerConfig } from './config';
export { SERIES as SEEDANCE_METRIC_SERIES, seedanceHistogramBuckets, type SeriesSpec } from './observability/metrics';
// The tracing functions are `seedance-temporal/tracing`: loading OpenTelemetry is for those who trace.
export type { SeedanceTracing } from './observability/tracing-plugin';
export { SeedanceClient, DEFAULT_BASE_URL, type SeedanceClientOptions } from './seedance/client';
export type {
  VideoTaskProvider,
  ProviderTask,
  ProviderName,
  ProviderCapabilities,
  ProviderRequestOptions,
  CreateTaskOptions,
} from './seedance/provider';
export { TASK_STATUSES, isTerminalStatus } from './seedance/provider';
export { ResellerProvider, type ResellerApi } from './seedance/reseller-provider';
export { videoRequestSchema, RESOLUTIONS, type Resolution } from './seedance/video-request';
export {
  ModelArkClient,
  ModelArkProvider,
  MODELARK_BASE_URL,
  VOLCENGINE_BASE_URL,
  MODELARK_MODEL_ID,
  VOLCENGINE_MODEL_ID,
  type ModelArkClientOptions,
  type ModelArkProviderOptions,
  type ListTasksOptions,
  type ModelArkTask,
  type ModelArkCreateRequest,
} from './seedance/modelark';
export {
  startCallbackReceiver,
  createTemporalSignaler,
  signedCallbackUrl,
  deriveCallbackSecret,
  DEFAULT_CALLBACK_PATH,
  type CallbackReceiver,
  type CallbackReceiverOptions,
  type CallbackSignaler,
  type TemporalSignaler,
} from './callbacks';
export * from './seedance/errors';
export { SEEDANCE_MODELS, MODEL_TIMINGS, type SeedanceModel } from './seedance/models';
export { createVideoRequestSchema, taskSchema, type SeedanceTask } from './seedance/schemas';
export {
  LocalDirectoryStorage,
  S3Storage,
  createStorage,
  createS3Client,
  sweepAbandonedUploads,
  checkFileName,
  lastFrameFileName,
  StoredFileConflictError,
  StorageBackendError,
  S3StorageError,
  S3RequestError,
  type S3StorageOptions,
  type VideoStorage,
  type VideoSink,
  type CompanionFile,
  type StoredCompanion,
  type SinkCheckpoint,
  type OpenSinkOptions,
  type DiscardPartialsOptions,
} from './storage';
