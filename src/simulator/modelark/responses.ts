/**
 * ModelArk's answers: every API response carries an `X-Request-Id`; errors are the envelope
 * `{"error":{"code","message","param","type"}}` with `Request id: <id>` at the end of the message
 * and `param: ""` when no field is at fault (as captured real errors show).
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Exchange } from '../exchange';
import type { ModelArkRateLimitCode } from '../faults';
import { retryAfterHeader, sendJson, type GatewayErrorFault } from '../responses';

export interface ModelArkError {
  code: string;
  message: string;
  param?: string;
}

/** Like real ids: `02`, the ms clock, then hex (53 characters). */
export function newRequestId(nowMs: number): string {
  return `02${String(Math.max(0, Math.floor(nowMs))).padStart(13, '0')}${randomBytes(19).toString('hex')}`;
}

/** The request id of this exchange, made once and logged. */
export function requestIdOf(ex: Exchange): string {
  ex.entry.requestId ??= newRequestId(Number.isFinite(ex.entry.at) ? ex.entry.at : Date.now());
  return ex.entry.requestId;
}

export function sendArkJson(ex: Exchange, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJson(ex, status, body, { 'X-Request-Id': requestIdOf(ex), ...headers });
}

export function sendArkError(
  ex: Exchange,
  status: number,
  error: ModelArkError,
  headers: Record<string, string> = {},
): void {
  const requestId = requestIdOf(ex);
  sendArkJson(
    ex,
    status,
    {
      error: {
        code: error.code,
        message: `${error.message} Request id: ${requestId}`,
        param: error.param ?? '',
        type: errorType(status),
      },
    },
    headers,
  );
}

/** The `type` the documented error table gives each status (BadRequest, Unauthorized, ...). */
export function errorType(status: number): string {
  return (STATUS_CODES[status] ?? 'Error').replace(/[^A-Za-z]/g, '');
}

export const AUTHENTICATION_ERROR: ModelArkError = {
  code: 'AuthenticationError',
  message: 'The API key in the request is missing or invalid.',
};

export const INTERNAL_ERROR: ModelArkError = {
  code: 'InternalServiceError',
  message: 'The service encountered an unexpected internal error.',
};

const RATE_LIMIT_MESSAGES: Readonly<Record<ModelArkRateLimitCode, string>> = {
  'RateLimitExceeded.EndpointRPMExceeded':
    'The request has exceeded the RPM (requests per minute) limit of the endpoint. Please try again later.',
  'RateLimitExceeded.EndpointTPMExceeded':
    'The request has exceeded the TPM (tokens per minute) limit of the endpoint. Please try again later.',
  ModelAccountRpmRateLimitExceeded:
    'The request has exceeded the RPM (requests per minute) limit of the model for your account. Please try again later.',
  ModelAccountTpmRateLimitExceeded:
    'The request has exceeded the TPM (tokens per minute) limit of the model for your account. Please try again later.',
  ModelAccountIpmRateLimitExceeded:
    'The request has exceeded the IPM (images per minute) limit of the model for your account. Please try again later.',
  APIAccountRpmRateLimitExceeded:
    'The request has exceeded the RPM (requests per minute) limit of the API for your account. Please try again later.',
  AccountRateLimitExceeded: 'The request has exceeded the rate limit of your account. Please try again later.',
  QuotaExceeded:
    'Your account has exceeded its quota: the free quota is used up or too many tasks are queued. Please try again later.',
  ServerOverloaded: 'The service is currently overloaded. Please try again later.',
  RequestBurstTooFast: 'The request rate increased too quickly. Please ramp up your requests gradually.',
  SetLimitExceeded: 'The request has reached the inference limit set for your account (safe experience mode).',
  InflightBatchsizeExceeded: 'The number of concurrent requests has exceeded the limit. Please try again later.',
};

/** The default `error.code` of a JSON gateway fault by status. */
function defaultCode(status: number): string {
  if (status === 429) return 'RateLimitExceeded.EndpointRPMExceeded';
  if (status === 500) return INTERNAL_ERROR.code;
  return errorType(status);
}

function faultMessage(code: string, status: number): string {
  if (code in RATE_LIMIT_MESSAGES) return RATE_LIMIT_MESSAGES[code as ModelArkRateLimitCode];
  if (code === INTERNAL_ERROR.code) return INTERNAL_ERROR.message;
  return `${STATUS_CODES[status] ?? 'Error'} (simulated).`;
}

/** The JSON bodies of the `status` and `rateLimit` faults; ModelArk documents no Retry-After, so none by default. */
export function sendArkFaultError(ex: Exchange, fault: GatewayErrorFault): void {
  const status = fault.kind === 'rateLimit' ? 429 : fault.code;
  const code = fault.errorCode ?? defaultCode(status);
  sendArkError(ex, status, { code, message: faultMessage(code, status) }, retryAfterHeader(fault.retryAfterSeconds));
}
