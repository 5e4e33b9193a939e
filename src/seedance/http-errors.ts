/**
 * Pure classification of HTTP answers and transport failures into typed Seedance errors. Messages
 * are built from chosen fields only: status, task id, and a bounded, cleaned excerpt of the API's
 * own `error.message`. Never headers, bodies of other shapes, URLs' query strings or the API key.
 */
import {
  SeedanceError,
  SeedanceForbiddenError,
  SeedanceInvalidRequestError,
  SeedanceNetworkError,
  SeedanceRateLimitedError,
  SeedanceServerError,
  SeedanceTaskNotFoundError,
  SeedanceTimeoutError,
  SeedanceUnauthorizedError,
} from './errors';
import { apiErrorBodySchema } from './schemas';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** A `Retry-After` longer than this is cut down: the retry policy, not the server, owns the wait. */
export const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;
export const MAX_DETAIL_LENGTH = 300;

export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `Retry-After` as milliseconds from `nowMs`: delta seconds or an HTTP date, bounded to
 * [0, MAX_RETRY_AFTER_MS]. `undefined` when absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else if (/^[A-Za-z]{3}/.test(text) && Number.isFinite(Date.parse(text))) {
    ms = Date.parse(text) - nowMs;
  } else {
    return undefined;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

const CONTROL_OR_INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Makes remote text fit for a failure message: secrets replaced, query strings and fragments of
 * URLs dropped (signed URLs carry their credential there), control characters removed, length
 * bounded.
 */
export function sanitizeText(text: string, options: { maxLength?: number; secrets?: readonly string[] } = {}): string {
  const maxLength = options.maxLength ?? MAX_DETAIL_LENGTH;
  let out = text;
  for (const secret of options.secrets ?? []) {
    if (secret.length > 0) out = out.split(secret).join('[redacted]');
  }
  out = out
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>]*)[?#][^\s"'<>]*/gi, '$1')
    .replace(CONTROL_OR_INVISIBLE, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return out.length > maxLength ? `${out.slice(0, maxLength)}...` : out;
}

/** The API's own error message from a JSON error body, cleaned; `undefined` for anything else (HTML pages). */
export function apiErrorDetail(body: string | undefined, secrets: readonly string[] = []): string | undefined {
  if (body === undefined || body.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = apiErrorBodySchema.safeParse(json);
  if (!parsed.success) return undefined;
  const { error } = parsed.data;
  const message = typeof error === 'string' ? error : error.message;
  if (message === undefined) return undefined;
  const detail = sanitizeText(message, { secrets });
  return detail === '' ? undefined : detail;
}

export interface HttpAnswer {
  status: number;
  headers: ResponseHeaders;
  /** The (bounded) response body as text, if it was read. */
  body?: string;
}

export interface AnswerContext {
  operation: 'create' | 'get';
  /** Already validated by `taskIdSchema`, so safe to show. */
  taskId?: string;
  /** Strings that must never appear in a message (the API key). */
  secrets?: readonly string[];
  nowMs: number;
}

/** How a message names the API: `Seedance`, or `Seedance (task <id>)` when a task is concerned. */
export function seedanceSubject(taskId: string | undefined): string {
  return taskId === undefined ? 'Seedance' : `Seedance (task ${taskId})`;
}

/** Maps a non-2xx answer of the Seedance API to its typed error. */
export function errorFromResponse(answer: HttpAnswer, context: AnswerContext): SeedanceError {
  const { status } = answer;
  const subject = seedanceSubject(context.taskId);
  const detail = apiErrorDetail(answer.body, context.secrets);
  const suffix = detail === undefined ? '' : `: ${detail}`;
  const options = { status };

  switch (status) {
    case 400:
      return new SeedanceInvalidRequestError(`${subject} refused the request as invalid (HTTP 400)${suffix}`, options);
    case 401:
      return new SeedanceUnauthorizedError(
        `${subject} refused the API key (HTTP 401): check that the configured key is set and valid${suffix}`,
        options,
      );
    case 403:
      return new SeedanceForbiddenError(`${subject} refused access for this API key (HTTP 403)${suffix}`, options);
    case 404:
      if (context.operation === 'get' && context.taskId !== undefined) {
        return new SeedanceTaskNotFoundError(
          `${subject} was not found (HTTP 404): the id is unknown or older than the one-day retention${suffix}`,
          context.taskId,
          options,
        );
      }
      // A 404 on create means the endpoint itself is missing: a wrong base URL, not a passing fault.
      return new SeedanceInvalidRequestError(
        `${subject} has no such endpoint (HTTP 404): check the base URL${suffix}`,
        options,
      );
    case 408:
    case 425:
    case 429: {
      const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], context.nowMs);
      const wait = retryAfterMs === undefined ? '' : `; retry after ${Math.ceil(retryAfterMs / 1000)} s`;
      return new SeedanceRateLimitedError(
        `${subject} asked us to slow down (HTTP ${status})${wait}${suffix}`,
        retryAfterMs,
        options,
      );
    }
    default: {
      const kind = status >= 500 && status <= 599 ? 'a server error' : 'an unexpected status';
      return new SeedanceServerError(`${subject} answered with ${kind} (HTTP ${status})${suffix}`, options);
    }
  }
}

/** Error codes meaning the connection was never established, so the request cannot have been sent. */
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The error code of a transport failure, only if it looks like one (`ECONNRESET`, `UND_ERR_SOCKET`). */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,39}$/.test(code)) return code;
  const inner = (error as { errors?: unknown } | null)?.errors;
  return Array.isArray(inner) && inner.length > 0 ? errorCode(inner[0]) : undefined;
}

function allCodes(error: unknown): string[] {
  const inner = (error as { errors?: unknown } | null)?.errors;
  if (Array.isArray(inner) && inner.length > 0) return inner.flatMap(allCodes);
  const code = errorCode(error);
  return code === undefined ? [] : [code];
}

/** A stand-in for a library error: its class name and code, never its message (which can carry a URL). */
export function sanitizedCause(error: unknown): Error {
  const name = (error as { name?: unknown } | null)?.name;
  const cause = new Error(errorCode(error) ?? 'unknown transport error');
  cause.name = typeof name === 'string' && /^[A-Za-z]{1,40}$/.test(name) ? name : 'Error';
  return cause;
}

/**
 * Maps a transport failure (no HTTP answer, or the body broke off) to a typed error. `target`
 * names the peer in words, e.g. "the Seedance API".
 */
export function errorFromTransport(error: unknown, target: string): SeedanceNetworkError | SeedanceTimeoutError {
  const code = errorCode(error) ?? 'unknown';
  const cause = sanitizedCause(error);
  const subject = target.charAt(0).toUpperCase() + target.slice(1);
  if (TIMEOUT_CODES.has(code)) {
    return new SeedanceTimeoutError(
      `${subject} did not answer in time (${code}); the request may have been processed`,
      { cause },
    );
  }
  const codes = allCodes(error);
  const sent = !(codes.length > 0 && codes.every((c) => NOT_CONNECTED_CODES.has(c)));
  const consequence = sent ? 'the request may have reached it' : 'the request was not sent';
  return new SeedanceNetworkError(`Could not complete the exchange with ${target} (${code}): ${consequence}`, sent, {
    cause,
  });
}
