/**
 * Typed errors of the Seedance HTTP client. No Temporal imports: the activities map these onto
 * ApplicationFailures. Messages are built from chosen fields only (status code, task id, a bounded
 * excerpt of the API's own message), never from request headers or signed URLs.
 */

export type SeedanceErrorCode =
  | 'SeedanceInvalidRequest'
  | 'SeedanceUnauthorized'
  | 'SeedanceForbidden'
  | 'SeedanceTaskNotFound'
  | 'SeedanceRateLimited'
  | 'SeedanceServerError'
  | 'SeedanceInvalidResponse'
  | 'SeedanceNetworkError'
  | 'SeedanceTimeout'
  | 'SeedanceUnsafeUrl'
  | 'SeedanceVideoUrlExpired'
  | 'SeedanceVideoChanged'
  | 'SeedanceVideoUnavailable';

export abstract class SeedanceError extends Error {
  abstract readonly code: SeedanceErrorCode;
  /** Whether the same request may succeed when simply sent again later. */
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
  readonly code = 'SeedanceInvalidRequest';
  readonly retryable = false;
}

/** 401: missing or wrong API key. */
export class SeedanceUnauthorizedError extends SeedanceError {
  readonly code = 'SeedanceUnauthorized';
  readonly retryable = false;
}

/** 403: the key may not do this (or, from a file host, a refused/expired signed URL). */
export class SeedanceForbiddenError extends SeedanceError {
  readonly code = 'SeedanceForbidden';
  readonly retryable = false;
}

/** 404: unknown task id, or one older than the one-day retention. */
export class SeedanceTaskNotFoundError extends SeedanceError {
  readonly code = 'SeedanceTaskNotFound';
  readonly retryable = false;
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
  readonly code = 'SeedanceRateLimited';
  readonly retryable = true;
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
  readonly code = 'SeedanceServerError';
  readonly retryable = true;
}

/** A 2xx answer whose body is not what the API documents. Retried: proxies do send junk. */
export class SeedanceInvalidResponseError extends SeedanceError {
  readonly code = 'SeedanceInvalidResponse';
  readonly retryable = true;
}

/** Connection refused, reset, DNS failure. `sent` tells whether the request may have reached the server. */
export class SeedanceNetworkError extends SeedanceError {
  readonly code = 'SeedanceNetworkError';
  readonly retryable = true;
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
  readonly code = 'SeedanceTimeout';
  readonly retryable = true;
}

/** The video URL is not one we may contact (scheme, credentials, private address). Refused before connecting. */
export class SeedanceUnsafeUrlError extends SeedanceError {
  readonly code = 'SeedanceUnsafeUrl';
  readonly retryable = false;
}

/**
 * 403/410 from the file host: the signed `video_url` expired or was revoked. Retryable in the
 * sense "ask the status endpoint for a fresh URL, then download again", not "resend this request".
 */
export class SeedanceVideoUrlExpiredError extends SeedanceError {
  readonly code = 'SeedanceVideoUrlExpired';
  readonly retryable = true;
}

/** 412, a changed ETag or an unusable range answer: the partial file no longer matches. Restart from zero. */
export class SeedanceVideoChangedError extends SeedanceError {
  readonly code = 'SeedanceVideoChanged';
  readonly retryable = true;
}

/** Other 4xx from the file host, too many redirects, or an answer we cannot store byte for byte. */
export class SeedanceVideoUnavailableError extends SeedanceError {
  readonly code = 'SeedanceVideoUnavailable';
  readonly retryable = false;
}

export function isSeedanceError(error: unknown): error is SeedanceError {
  return error instanceof SeedanceError;
}
