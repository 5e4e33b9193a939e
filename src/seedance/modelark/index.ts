/** BytePlus ModelArk / Volcengine Ark: the HTTP client of its video task API and the provider adapter. */
export {
  MODELARK_BASE_URL,
  ModelArkClient,
  VOLCENGINE_BASE_URL,
  type ListTasksOptions,
  type ModelArkClientOptions,
} from './client';
export { errorFromModelArkAnswer, QUOTA_EXCEEDED_RETRY_MS } from './errors';
export { DEFAULT_RESOLUTION, MODELARK_MODEL_ID, VOLCENGINE_MODEL_ID, resolveModel } from './models';
export { ModelArkProvider, type ModelArkProviderOptions } from './provider';
export {
  MODELARK_TASK_STATUSES,
  createRequestSchema,
  taskSchema,
  type ModelArkCreateBody,
  type ModelArkCreateRequest,
  type ModelArkTask,
  type ModelArkTaskList,
  type ModelArkTaskStatus,
} from './schemas';
export { RECORD_RETENTION_MS, STATUS_FROM_MODELARK, fromModelArkTask } from './task';
