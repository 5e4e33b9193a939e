/**
 * Typed errors of the Seedance HTTP client. No Temporal imports: the activities map these onto
 * ApplicationFailures. Messages are built from chosen fields only (status code, task id, a bounded
 * excerpt of the API's own message), never from request headers or signed URLs.
 */

import { FAILURES, type FailureKind } from '../contract/failures';

/** The HTTP client's failure kinds: a subset of the package's failure table. */
type ClientFailureKind = Extract<
  FailureKind,
  | 'InvalidRequest'
  | 'ContentRefused'
  | 'Unauthorized'
  | 'Forbidden'
  | 'TaskNotFound'
  | 'RateLimited'
  | 'ServerError'
  | 'InvalidResponse'
  | 'NetworkError'
  | 'Timeout'
  | 'UnsafeUrl'
  | 'VideoUrlExpired'
  | 'VideoChanged'
  | 'VideoUnavailable'
>;

/** The `code` of a {@link SeedanceError}: its failure type. */
export type SeedanceErrorCode = (typeof FAILURES)[ClientFailureKind]['type'];

export abstract class SeedanceError extends Error {
  /** The failure type the activities report, from the failure table. */
  abstract readonly code: SeedanceErrorCode;
  /** Whether the same request may succeed when simply sent again later (from the failure table). */
  abstract readonly retryable: boolean;
  /** HTTP status, when the error is an HTTP answer. */
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status;
  }
}

/** 400 or a request our own schema refused before sending. */
export class SeedanceInvalidRequestError extends SeedanceError {
  readonly code = FAILURES.InvalidRequest.type;
  readonly retryable = FAILURES.InvalidRequest.retryable;
}

/** The provider refused the prompt or an image as sensitive content (ModelArk `*SensitiveContentDetected*`). */
export class SeedanceContentRefusedError extends SeedanceError {
  readonly code = FAILURES.ContentRefused.type;
  readonly retryable = FAILURES.ContentRefused.retryable;
}

/** 401: missing or wrong API key. */
export class SeedanceUnauthorizedError extends SeedanceError {
  readonly code = FAILURES.Unauthorized.type;
  readonly retryable = FAILURES.Unauthorized.retryable;
}

/** 403: the key may not do this (or, from a file host, a refused/expired signed URL). */
export class SeedanceForbiddenError extends SeedanceError {
  readonly code = FAILURES.Forbidden.type;
  readonly retryable = FAILURES.Forbidden.retryable;
}

/** 404: unknown task id, or one older than the one-day retention. */
export class SeedanceTaskNotFoundError extends SeedanceError {
  readonly code = FAILURES.TaskNotFound.type;
  readonly retryable = FAILURES.TaskNotFound.retryable;
  constructor(
    message: string,
    readonly taskId: string,
    options: { status?: number } = {},
  ) {
    super(message, options);
  }
}

/** 429: rate limited. `retryAfterMs` comes from `Retry-After` when the server sent one. */
export class SeedanceRateLimitedError extends SeedanceError {
  readonly code = FAILURES.RateLimited.type;
  readonly retryable = FAILURES.RateLimited.retryable;
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
    options: { status?: number } = {},
  ) {
    super(message, options);
  }
}

/** 5xx, gateway pages and other unexpected statuses that may pass. */
export class SeedanceServerError extends SeedanceError {
  readonly code = FAILURES.ServerError.type;
  readonly retryable = FAILURES.ServerError.retryable;
}

/** A 2xx answer whose body is not what the API documents. Retried: proxies do send junk. */
export class SeedanceInvalidResponseError extends SeedanceError {
  readonly code = FAILURES.InvalidResponse.type;
  readonly retryable = FAILURES.InvalidResponse.retryable;
}

/** Connection refused, reset, DNS failure. `sent` tells whether the request may have reached the server. */
export class SeedanceNetworkError extends SeedanceError {
  readonly code = FAILURES.NetworkError.type;
  readonly retryable = FAILURES.NetworkError.retryable;
  constructor(
    message: string,
    readonly sent: boolean,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** No answer within the request timeout. The request may have been processed. */
export class SeedanceTimeoutError extends SeedanceError {
  readonly code = FAILURES.Timeout.type;
  readonly retryable = FAILURES.Timeout.retryable;
}

/** The video URL is not one we may contact (scheme, credentials, private address). Refused before connecting. */
export class SeedanceUnsafeUrlError extends SeedanceError {
  readonly code = FAILURES.UnsafeUrl.type;
  readonly retryable = FAILURES.UnsafeUrl.retryable;
}

/**
 * 403/410 from the file host: the signed `video_url` expired or was revoked. Retryable in the
 * sense "ask the status endpoint for a fresh URL, then download again", not "resend this request".
 */
export class SeedanceVideoUrlExpiredError extends SeedanceError {
  readonly code = FAILURES.VideoUrlExpired.type;
  readonly retryable = FAILURES.VideoUrlExpired.retryable;
}

/** 412, a changed ETag or an unusable range answer: the partial file no longer matches. Restart from zero. */
export class SeedanceVideoChangedError extends SeedanceError {
  readonly code = FAILURES.VideoChanged.type;
  readonly retryable = FAILURES.VideoChanged.retryable;
}

/** Other 4xx from the file host, too many redirects, or an answer we cannot store byte for byte. */
export class SeedanceVideoUnavailableError extends SeedanceError {
  readonly code = FAILURES.VideoUnavailable.type;
  readonly retryable = FAILURES.VideoUnavailable.retryable;
}

/**
 * The last-frame URL answered with something that is not a PNG we may store: other bytes (an
 * error page served with 200), or more than the cap. Not retried: the host serves what it serves.
 */
export class SeedanceInvalidLastFrameError extends SeedanceVideoUnavailableError {}

export function isSeedanceError(error: unknown): error is SeedanceError {
  return error instanceof SeedanceError;
}
