/**
 * Pure classification of ModelArk's error answers (HTTP status plus the envelope's `error.code`,
 * shared/modelark-api.md §7) into the package's typed errors. Messages name the task, the status,
 * the code and a cleaned excerpt of the API's own message; never headers or the API key.
 */
import {
  SeedanceContentRefusedError,
  SeedanceForbiddenError,
  SeedanceInvalidRequestError,
  SeedanceRateLimitedError,
  SeedanceServerError,
  SeedanceTaskNotFoundError,
  SeedanceUnauthorizedError,
  type SeedanceError,
} from '../errors';
import { parseRetryAfter, sanitizeText, type HttpAnswer } from '../http-errors';
import { errorEnvelopeSchema } from './schemas';

export type ModelArkOperation = 'create' | 'get' | 'list' | 'delete';

export interface ModelArkAnswerContext {
  operation: ModelArkOperation;
  /** Already validated by `taskIdSchema`, so safe to show. */
  taskId?: string;
  /** Strings that must never appear in a message (the API key). */
  secrets?: readonly string[];
  nowMs: number;
}

/**
 * `QuotaExceeded` means the free quota is used up or too many tasks are queued (120 per account in
 * an older copy of the docs); neither clears in the SDK's sub-second backoff. Without a
 * `Retry-After` (none is documented) the retry waits at least this long.
 */
export const QUOTA_EXCEEDED_RETRY_MS = 60_000;

/** How a message names the API: `ModelArk`, or `ModelArk (task <id>)`. */
export function modelArkSubject(taskId: string | undefined): string {
  return taskId === undefined ? 'ModelArk' : `ModelArk (task ${taskId})`;
}

interface ApiError {
  /** Only when it looks like a code (`InvalidParameter`, `RateLimitExceeded.EndpointRPMExceeded`). */
  code?: string;
  /** Cleaned: no secrets, no URL query strings, bounded. */
  message?: string;
}

/** The code and message of ModelArk's error envelope; empty for other bodies (gateway HTML pages). */
export function apiError(body: string | undefined, secrets: readonly string[] = []): ApiError {
  if (body === undefined || body.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return {};
  }
  const parsed = errorEnvelopeSchema.safeParse(json);
  if (!parsed.success) return {};
  const fields = 'error' in parsed.data ? parsed.data.error : parsed.data;
  const code = fields.code == null ? undefined : String(fields.code);
  const message = fields.message == null ? '' : sanitizeText(fields.message, { secrets });
  return {
    ...(code !== undefined && /^[A-Za-z0-9_.-]{1,100}$/.test(code) ? { code } : {}),
    ...(message === '' ? {} : { message }),
  };
}

/** Maps a non-2xx answer of the ModelArk task API to its typed error. */
export function errorFromModelArkAnswer(answer: HttpAnswer, context: ModelArkAnswerContext): SeedanceError {
  const { status } = answer;
  const { code, message } = apiError(answer.body, context.secrets);
  const subject = modelArkSubject(context.taskId);
  const http = code === undefined ? `HTTP ${status}` : `HTTP ${status} ${code}`;
  const suffix = message === undefined ? '' : `: ${message}`;
  const options = { status };

  if (code?.includes('SensitiveContentDetected')) {
    return new SeedanceContentRefusedError(
      `${subject} refused the prompt, an image or the output as sensitive content (${http}); change the content, a retry will not help${suffix}`,
      options,
    );
  }
  if (code === 'SetLimitExceeded') {
    return new SeedanceForbiddenError(
      `${subject} refused the request: a spending or usage limit set on the account was reached (${http}); raise it in the console${suffix}`,
      options,
    );
  }

  switch (status) {
    case 400:
    case 422:
      return new SeedanceInvalidRequestError(`${subject} refused the request as invalid (${http})${suffix}`, options);
    case 401:
      return new SeedanceUnauthorizedError(
        `${subject} refused the API key (${http}): check that the configured ARK API key is set, valid and of this region${suffix}`,
        options,
      );
    case 403:
      return new SeedanceForbiddenError(
        `${subject} refused access for this API key (${http})${forbiddenHint(code)}${suffix}`,
        options,
      );
    case 404:
      if ((context.operation === 'get' || context.operation === 'delete') && context.taskId !== undefined) {
        return new SeedanceTaskNotFoundError(
          `${subject} was not found (${http}): the id is unknown, of another region or account, or older than the 7-day retention${suffix}`,
          context.taskId,
          options,
        );
      }
      if (context.operation === 'create' && code !== undefined) {
        return new SeedanceInvalidRequestError(
          `${subject} does not know the model or endpoint, or it is not activated for this account (${http})${suffix}`,
          options,
        );
      }
      return new SeedanceInvalidRequestError(
        `${subject} has no such endpoint (${http}): check the base URL${suffix}`,
        options,
      );
    case 408:
    case 425:
    case 429:
      return rateLimited(answer, context, subject, http, suffix, code);
    default:
      if (status >= 400 && status <= 499) {
        // Undocumented client errors (405, 409, 413, ...): the request is at fault, sending it again will not help.
        return new SeedanceInvalidRequestError(`${subject} refused the request (${http})${suffix}`, options);
      }
      return new SeedanceServerError(
        `${subject} answered with ${status >= 500 && status <= 599 ? 'a server error' : 'an unexpected status'} (${http})${suffix}`,
        options,
      );
  }
}

function rateLimited(
  answer: HttpAnswer,
  context: ModelArkAnswerContext,
  subject: string,
  http: string,
  suffix: string,
  code: string | undefined,
): SeedanceRateLimitedError {
  const retryAfterMs =
    parseRetryAfter(answer.headers['retry-after'], context.nowMs) ??
    (code === 'QuotaExceeded' ? QUOTA_EXCEEDED_RETRY_MS : undefined);
  const wait = retryAfterMs === undefined ? '' : `; retry after ${Math.ceil(retryAfterMs / 1000)} s`;
  const why =
    code === 'QuotaExceeded'
      ? 'refused the request: the free quota is used up or too many tasks are queued'
      : 'asked us to slow down';
  return new SeedanceRateLimitedError(`${subject} ${why} (${http})${wait}${suffix}`, retryAfterMs, {
    status: answer.status,
  });
}

function forbiddenHint(code: string | undefined): string {
  if (code === 'AccountOverdueError') return ': the account is overdue, top it up';
  if (code?.startsWith('OperationDenied')) return ': the model or service is not activated for this account';
  return '';
}
