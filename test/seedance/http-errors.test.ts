import { describe, expect, it } from 'vitest';
import {
  SeedanceForbiddenError,
  SeedanceInvalidRequestError,
  SeedanceNetworkError,
  SeedanceRateLimitedError,
  SeedanceServerError,
  SeedanceTaskNotFoundError,
  SeedanceTimeoutError,
  SeedanceUnauthorizedError,
} from '../../src/seedance/errors';
import {
  MAX_RETRY_AFTER_MS,
  apiErrorDetail,
  errorFromResponse,
  errorFromTransport,
  parseRetryAfter,
  sanitizeText,
} from '../../src/seedance/http-errors';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const KEY = 'sk-live-0123456789abcdef';
const get = { operation: 'get' as const, taskId: 'video_abc123', secrets: [KEY], nowMs: NOW };
const jsonError = (message: string) => JSON.stringify({ error: { code: 400, message, type: 'invalid_request_error' } });

describe('parseRetryAfter', () => {
  it('reads delta seconds as milliseconds', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7000);
    expect(parseRetryAfter(['0'], NOW)).toBe(0);
  });

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', NOW)).toBe(0);
  });

  it('bounds long waits and ignores what it cannot read', () => {
    expect(parseRetryAfter('99999999', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter('-5', NOW)).toBeUndefined();
    expect(parseRetryAfter('1.5', NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
  });
});

describe('sanitizeText and apiErrorDetail', () => {
  it('drops control characters, query strings of URLs and secrets, and bounds the length', () => {
    const text = sanitizeText(
      `bad\u0000\u001b[31m key ${KEY} for https://cdn.example.com/a.mp4?sig=SECRET#frag\r\n${'x'.repeat(500)}`,
      {
        secrets: [KEY],
      },
    );
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('SECRET');
    expect(text).not.toMatch(/[\u0000-\u001f]/);
    expect(text).toContain('https://cdn.example.com/a.mp4');
    expect(text.length).toBeLessThanOrEqual(303);
  });

  it('takes the message from JSON error bodies only, never from HTML pages', () => {
    expect(apiErrorDetail(jsonError('duration must be 4-12'))).toBe('duration must be 4-12');
    expect(apiErrorDetail(JSON.stringify({ error: 'plain string' }))).toBe('plain string');
    expect(apiErrorDetail('<html><body>502 Bad Gateway</body></html>')).toBeUndefined();
    expect(apiErrorDetail(JSON.stringify({ message: 'other shape' }))).toBeUndefined();
  });
});

describe('errorFromResponse', () => {
  it.each([
    [400, SeedanceInvalidRequestError, false],
    [401, SeedanceUnauthorizedError, false],
    [403, SeedanceForbiddenError, false],
    [404, SeedanceTaskNotFoundError, false],
    [408, SeedanceRateLimitedError, true],
    [425, SeedanceRateLimitedError, true],
    [429, SeedanceRateLimitedError, true],
    [500, SeedanceServerError, true],
    [502, SeedanceServerError, true],
    [503, SeedanceServerError, true],
    [302, SeedanceServerError, true],
    [418, SeedanceServerError, true],
  ] as const)('maps HTTP %i to %o (retryable: %s)', (status, type, retryable) => {
    const error = errorFromResponse({ status, headers: {} }, get);
    expect(error).toBeInstanceOf(type);
    expect(error.retryable).toBe(retryable);
    expect(error.status).toBe(status);
  });

  it('names the task in a 404 and attaches its id', () => {
    const error = errorFromResponse({ status: 404, headers: {} }, get);
    expect(error).toBeInstanceOf(SeedanceTaskNotFoundError);
    expect((error as SeedanceTaskNotFoundError).taskId).toBe('video_abc123');
    expect(error.message).toContain('video_abc123');
  });

  it('treats a 404 on create as a wrong endpoint, not a missing task', () => {
    const error = errorFromResponse({ status: 404, headers: {} }, { operation: 'create', nowMs: NOW });
    expect(error).toBeInstanceOf(SeedanceInvalidRequestError);
    expect(error.message).toMatch(/base URL/);
  });

  it('carries Retry-After on rate limits', () => {
    const error = errorFromResponse({ status: 429, headers: { 'retry-after': '7' } }, get);
    expect((error as SeedanceRateLimitedError).retryAfterMs).toBe(7000);
    expect(error.message).toMatch(/retry after 7 s/);
  });

  it('quotes the API message but never the key, headers or an HTML page', () => {
    const error = errorFromResponse(
      { status: 401, headers: { 'www-authenticate': `Bearer ${KEY}` }, body: jsonError(`Invalid key ${KEY}`) },
      get,
    );
    expect(error.message).toContain('Invalid key [redacted]');
    expect(String(error)).not.toContain(KEY);
    const gateway = errorFromResponse(
      { status: 502, headers: {}, body: '<html><title>Bad Gateway</title></html>' },
      get,
    );
    expect(gateway.message).not.toContain('<html>');
  });
});

describe('errorFromTransport', () => {
  const failure = (
    code: string,
    message = `connect ${code} 10.0.0.1:443 https://api.example.com/v1/result/x?key=SECRET`,
  ) => Object.assign(new Error(message), { code });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])(
    'knows %s never sent the request',
    (code) => {
      const error = errorFromTransport(failure(code), 'the Seedance API');
      expect(error).toBeInstanceOf(SeedanceNetworkError);
      expect((error as SeedanceNetworkError).sent).toBe(false);
    },
  );

  it.each(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'ETIMEDOUT'])('assumes %s may have sent the request', (code) => {
    const error = errorFromTransport(failure(code), 'the Seedance API');
    expect((error as SeedanceNetworkError).sent).toBe(true);
  });

  it('assumes an unknown failure may have sent the request', () => {
    expect((errorFromTransport(new Error('boom'), 'x') as SeedanceNetworkError).sent).toBe(true);
  });

  it('reads the codes inside an AggregateError (happy eyeballs)', () => {
    const aggregate = new AggregateError([failure('ECONNREFUSED'), failure('ECONNREFUSED')], 'all failed');
    expect((errorFromTransport(aggregate, 'x') as SeedanceNetworkError).sent).toBe(false);
  });

  it('maps header and body timeouts to SeedanceTimeoutError', () => {
    expect(errorFromTransport(failure('UND_ERR_HEADERS_TIMEOUT'), 'x')).toBeInstanceOf(SeedanceTimeoutError);
    expect(errorFromTransport(failure('UND_ERR_BODY_TIMEOUT'), 'x')).toBeInstanceOf(SeedanceTimeoutError);
  });

  it('keeps the library message out of the error and its cause', () => {
    const error = errorFromTransport(failure('ECONNRESET'), 'the Seedance API');
    expect(error.message).not.toContain('SECRET');
    expect(String(error.cause)).not.toContain('SECRET');
    expect(String(error.cause)).toContain('ECONNRESET');
  });
});
