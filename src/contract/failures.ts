/**
 * The failure table: every `ApplicationFailure.type` this package raises, in one place, with
 * whether Temporal may retry it. `FailureType`, `NON_RETRYABLE_TYPES`, the error classes' `code`
 * and `retryable` are all derived from it, so a type string is written here and nowhere else.
 *
 * Pure data, no imports: safe in workflow code, in the HTTP client and in a Node client alike.
 * Callers see these as the `type` of the workflow's failure (or of a ChildWorkflowFailure's
 * cause), e.g. `temporal workflow describe` shows `ApplicationFailure: SeedanceTaskFailed: ...`.
 */

/**
 * - `retryable: true`: an activity failing this way is tried again (with backoff).
 * - `retryable: false`: never tried again; listed in {@link NON_RETRYABLE_TYPES}.
 * - `retryable: 'per-case'`: the raise site decides (e.g. a truncated video is retried, a file
 *   that is not an MP4 is not).
 * - `outcome: true`: how a workflow ends, never raised by an activity.
 */
export interface FailureSpec {
  readonly type: `Seedance${string}`;
  readonly retryable: boolean | 'per-case';
  readonly outcome?: true;
}

export const FAILURES = {
  /** The remote task ended `failed`; the message carries the API's `error`. */
  TaskFailed: { type: 'SeedanceTaskFailed', retryable: false, outcome: true },
  /** The remote task ended `cancelled` by someone else (the provider, its console, another client). */
  TaskCancelled: { type: 'SeedanceTaskCancelled', retryable: false, outcome: true },
  /** The provider gave up on the task: still queued or running at its `execution_expires_after` (ModelArk). */
  TaskExpired: { type: 'SeedanceTaskExpired', retryable: false, outcome: true },
  /** The task outlived the workflow's deadline. */
  TaskTimedOut: { type: 'SeedanceTaskTimedOut', retryable: false, outcome: true },
  /** Our own `cancel` signal stopped the workflow. */
  WorkflowCancelled: { type: 'SeedanceWorkflowCancelled', retryable: false, outcome: true },
  /** The workflow or activity input is not valid; nothing was sent. */
  InvalidInput: { type: 'SeedanceInvalidInput', retryable: false },
  /** The API refused the request as invalid (400), or our schema refused it before sending. */
  InvalidRequest: { type: 'SeedanceInvalidRequest', retryable: false },
  /** The provider refused the prompt or an image as sensitive content (ModelArk `*SensitiveContentDetected*`). */
  ContentRefused: { type: 'SeedanceContentRefused', retryable: false },
  /** 401: the worker's API key is missing or wrong. */
  Unauthorized: { type: 'SeedanceUnauthorized', retryable: false },
  /** 403 from the API. */
  Forbidden: { type: 'SeedanceForbidden', retryable: false },
  /** 404: the task id is unknown or older than the one-day retention. */
  TaskNotFound: { type: 'SeedanceTaskNotFound', retryable: false },
  /** 429: retried after `Retry-After`. */
  RateLimited: { type: 'SeedanceRateLimited', retryable: true },
  /** 5xx, gateway pages and other unexpected statuses that may pass. */
  ServerError: { type: 'SeedanceServerError', retryable: true },
  /** A 2xx answer whose body is not what the API documents (proxies do send junk). */
  InvalidResponse: { type: 'SeedanceInvalidResponse', retryable: true },
  /** Connection refused, reset, DNS failure, or a download that broke off. */
  NetworkError: { type: 'SeedanceNetworkError', retryable: true },
  /** No answer within the request timeout. */
  Timeout: { type: 'SeedanceTimeout', retryable: true },
  /** The create POST may or may not have created a task: not retried, so never paid twice. */
  CreateOutcomeUnknown: { type: 'SeedanceCreateOutcomeUnknown', retryable: false },
  /** The video URL is not allowed (not https, private address, bad redirect). */
  UnsafeUrl: { type: 'SeedanceUnsafeUrl', retryable: false },
  /** The output file name is not one safe path segment. */
  InvalidFileName: { type: 'SeedanceInvalidFileName', retryable: false },
  /** The downloaded bytes are not a complete MP4 of the announced length. */
  InvalidVideo: { type: 'SeedanceInvalidVideo', retryable: 'per-case' },
  /** The video is larger than the configured cap. */
  VideoTooLarge: { type: 'SeedanceVideoTooLarge', retryable: false },
  /** The signed video URL expired or was refused; re-resolved from the status endpoint. */
  VideoUrlExpired: { type: 'SeedanceVideoUrlExpired', retryable: true },
  /** 412, a changed ETag or an unusable range answer: the partial file is restarted from zero. */
  VideoChanged: { type: 'SeedanceVideoChanged', retryable: true },
  /**
   * A download sent on a `completed` callback found the task not completed (a premature or forged
   * callback); its details carry the status read, and the run goes on waiting. Never a workflow's end.
   */
  TaskNotCompleted: { type: 'SeedanceTaskNotCompleted', retryable: false },
  /** The file host answered with something we cannot use. */
  VideoUnavailable: { type: 'SeedanceVideoUnavailable', retryable: false },
  /** The download stalled or crawled below the low-speed limit. */
  DownloadStalled: { type: 'SeedanceDownloadStalled', retryable: true },
  /** The output storage is full (ENOSPC); the download resumes when space is freed. */
  StorageFull: { type: 'SeedanceStorageFull', retryable: true },
  /** The storage refused or failed a write, or holds a different file under the name. */
  StorageError: { type: 'SeedanceStorageError', retryable: 'per-case' },
  /** An unexpected error inside an activity, reduced to its name so no raw message reaches history. */
  InternalError: { type: 'SeedanceInternalError', retryable: true },
} as const satisfies Record<string, FailureSpec>;

export type FailureKind = keyof typeof FAILURES;

/** The `type` of every failure this package raises, e.g. `FailureType.TaskFailed === 'SeedanceTaskFailed'`. */
export type FailureType = (typeof FAILURES)[FailureKind]['type'];

/** The failure types by kind: `FailureType.TaskNotFound` is `'SeedanceTaskNotFound'`. */
export const FailureType = Object.freeze(
  Object.fromEntries(Object.entries(FAILURES).map(([kind, spec]) => [kind, spec.type])),
) as { readonly [K in FailureKind]: (typeof FAILURES)[K]['type'] };

/** Kinds whose retryability the raise site decides. */
export type PerCaseFailureKind = {
  [K in FailureKind]: (typeof FAILURES)[K]['retryable'] extends 'per-case' ? K : never;
}[FailureKind];

/** Activity failure types Temporal never retries: the activities' `nonRetryableErrorTypes`. */
export const NON_RETRYABLE_TYPES: readonly FailureType[] = Object.freeze(
  Object.values(FAILURES as Record<FailureKind, FailureSpec>)
    .filter((spec) => spec.retryable === false && !spec.outcome)
    .map((spec) => spec.type as FailureType),
);

export function isFailureType(value: unknown): value is FailureType {
  return typeof value === 'string' && TYPES.has(value);
}

const TYPES: ReadonlySet<string> = new Set(Object.values(FAILURES).map((spec) => spec.type));
