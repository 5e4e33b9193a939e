/**
 * The failure types users can match on (`ApplicationFailure.type`), in one place. Workflow-safe:
 * only `@temporalio/common`.
 *
 * Callers of the workflows see these as the `type` of the workflow's failure (or of the
 * ChildWorkflowFailure's cause), e.g. `temporal workflow describe` shows
 * `ApplicationFailure: SeedanceTaskFailed: content policy violation`.
 */
import { ApplicationFailure } from '@temporalio/common';

export const FailureType = {
  /** The remote task ended `failed`; the message carries the API's `error`. */
  TaskFailed: 'SeedanceTaskFailed',
  /** The remote task ended `cancelled` (by the provider or its console: no API can cause it). */
  TaskCancelled: 'SeedanceTaskCancelled',
  /** The task outlived the workflow's deadline. */
  TaskTimedOut: 'SeedanceTaskTimedOut',
  /** Our own `cancel` signal stopped the workflow. */
  WorkflowCancelled: 'SeedanceWorkflowCancelled',
  /** The workflow input is not valid; nothing was sent. */
  InvalidInput: 'SeedanceInvalidInput',
  /** The API refused the request as invalid (400). */
  InvalidRequest: 'SeedanceInvalidRequest',
  /** 401: the worker's API key is missing or wrong. */
  Unauthorized: 'SeedanceUnauthorized',
  /** 403 from the API. */
  Forbidden: 'SeedanceForbidden',
  /** 404: the task id is unknown or older than the one-day retention. */
  TaskNotFound: 'SeedanceTaskNotFound',
  /** 429: retried after `Retry-After`. */
  RateLimited: 'SeedanceRateLimited',
  ServerError: 'SeedanceServerError',
  InvalidResponse: 'SeedanceInvalidResponse',
  NetworkError: 'SeedanceNetworkError',
  Timeout: 'SeedanceTimeout',
  /** The create POST may or may not have created a task: not retried, so never paid twice. */
  CreateOutcomeUnknown: 'SeedanceCreateOutcomeUnknown',
  /** The video URL is not allowed (not https, private address, bad redirect). */
  UnsafeUrl: 'SeedanceUnsafeUrl',
  /** The output file name is not one safe path segment. */
  InvalidFileName: 'SeedanceInvalidFileName',
  /** The downloaded bytes are not a complete MP4 of the announced length. */
  InvalidVideo: 'SeedanceInvalidVideo',
  /** The video is larger than the configured cap. */
  VideoTooLarge: 'SeedanceVideoTooLarge',
  /** The signed video URL expired or was refused; re-resolved from the status endpoint. */
  VideoUrlExpired: 'SeedanceVideoUrlExpired',
  /** The file host answered with something we cannot use. */
  VideoUnavailable: 'SeedanceVideoUnavailable',
  /** The download stalled or crawled below the low-speed limit. */
  DownloadStalled: 'SeedanceDownloadStalled',
  /** The output storage is full (ENOSPC) or refused the write. */
  StorageFull: 'SeedanceStorageFull',
  StorageError: 'SeedanceStorageError',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failure types the workflow never retries. */
export const NON_RETRYABLE_TYPES: readonly FailureType[] = [
  FailureType.InvalidInput,
  FailureType.InvalidRequest,
  FailureType.Unauthorized,
  FailureType.Forbidden,
  FailureType.TaskNotFound,
  FailureType.CreateOutcomeUnknown,
  FailureType.UnsafeUrl,
  FailureType.InvalidFileName,
  FailureType.VideoTooLarge,
  FailureType.VideoUnavailable,
];

export function nonRetryable(type: FailureType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: details === undefined ? undefined : [details],
  });
}
