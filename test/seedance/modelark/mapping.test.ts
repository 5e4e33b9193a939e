import { describe, expect, it } from 'vitest';
import {
  SeedanceContentRefusedError,
  SeedanceError,
  SeedanceForbiddenError,
  SeedanceInvalidRequestError,
  SeedanceInvalidResponseError,
  SeedanceRateLimitedError,
  SeedanceServerError,
  SeedanceTaskNotFoundError,
  SeedanceUnauthorizedError,
} from '../../../src/seedance/errors';
import {
  QUOTA_EXCEEDED_RETRY_MS,
  apiError,
  errorFromModelArkAnswer,
  type ModelArkOperation,
} from '../../../src/seedance/modelark/errors';
import { taskSchema, type ModelArkTask } from '../../../src/seedance/modelark/schemas';
import { STATUS_FROM_MODELARK, fromModelArkTask } from '../../../src/seedance/modelark/task';

const KEY = 'ark-SECRET-0123456789';
const NOW = 1_787_870_000_000;

function envelope(code: string, message = `The request failed. Request id: 0217${KEY}`): string {
  return JSON.stringify({ error: { code, message, param: 'x', type: 'BadRequest' } });
}

function classify(
  status: number,
  body: string | undefined,
  operation: ModelArkOperation = 'get',
  headers: Record<string, string> = {},
): SeedanceError {
  return errorFromModelArkAnswer(
    { status, headers, body },
    {
      operation,
      ...(operation === 'get' || operation === 'delete' ? { taskId: 'cgt-1' } : {}),
      secrets: [KEY],
      nowMs: NOW,
    },
  );
}

describe('ModelArk error answers -> typed errors', () => {
  it.each([
    [400, 'MissingParameter', SeedanceInvalidRequestError],
    [400, 'InvalidParameter', SeedanceInvalidRequestError],
    [400, 'InvalidEndpoint.ClosedEndpoint', SeedanceInvalidRequestError],
    [400, 'SensitiveContentDetected', SeedanceContentRefusedError],
    [400, 'SensitiveContentDetected.SevereViolation', SeedanceContentRefusedError],
    [400, 'InputTextSensitiveContentDetected', SeedanceContentRefusedError],
    [400, 'InputImageSensitiveContentDetected.PrivacyInformation', SeedanceContentRefusedError],
    [401, 'AuthenticationError', SeedanceUnauthorizedError],
    [403, 'AccountOverdueError', SeedanceForbiddenError],
    [403, 'AccessDenied', SeedanceForbiddenError],
    [403, 'OperationDenied.ServiceNotOpen', SeedanceForbiddenError],
    [429, 'RateLimitExceeded.EndpointRPMExceeded', SeedanceRateLimitedError],
    [429, 'RateLimitExceeded.EndpointTPMExceeded', SeedanceRateLimitedError],
    [429, 'ModelAccountRpmRateLimitExceeded', SeedanceRateLimitedError],
    [429, 'ModelAccountTpmRateLimitExceeded', SeedanceRateLimitedError],
    [429, 'ModelAccountIpmRateLimitExceeded', SeedanceRateLimitedError],
    [429, 'APIAccountRpmRateLimitExceeded', SeedanceRateLimitedError],
    [429, 'AccountRateLimitExceeded', SeedanceRateLimitedError],
    [429, 'QuotaExceeded', SeedanceRateLimitedError],
    [429, 'ServerOverloaded', SeedanceRateLimitedError],
    [429, 'RequestBurstTooFast', SeedanceRateLimitedError],
    [429, 'InflightBatchsizeExceeded', SeedanceRateLimitedError],
    [429, 'SetLimitExceeded', SeedanceForbiddenError],
    [500, 'InternalServiceError', SeedanceServerError],
    [503, 'ServiceUnavailable', SeedanceServerError],
  ] as const)('HTTP %i %s -> %o', (status, code, type) => {
    const error = classify(status, envelope(code), 'create');
    expect(error).toBeInstanceOf(type);
    expect(error.status).toBe(status);
    expect(error.message).toContain(`HTTP ${status} ${code}`);
    expect(error.message).toContain('Request id: 0217[redacted]');
    expect(error.message).not.toContain(KEY);
  });

  it('names the task and the API in messages', () => {
    expect(classify(400, envelope('InvalidParameter')).message).toMatch(/^ModelArk \(task cgt-1\) refused the request/);
    expect(classify(400, envelope('InvalidParameter'), 'create').message).toMatch(/^ModelArk refused the request/);
  });

  it('marks rate limits and server errors retryable, the rest not', () => {
    expect(classify(429, envelope('RateLimitExceeded.EndpointRPMExceeded')).retryable).toBe(true);
    expect(classify(500, envelope('InternalServiceError')).retryable).toBe(true);
    expect(classify(429, envelope('SetLimitExceeded')).retryable).toBe(false);
    expect(classify(400, envelope('InputTextSensitiveContentDetected')).retryable).toBe(false);
    expect(classify(403, envelope('AccountOverdueError')).retryable).toBe(false);
  });

  it('says what to do for an overdue account and a model not activated', () => {
    expect(classify(403, envelope('AccountOverdueError')).message).toMatch(/overdue, top it up/);
    expect(classify(403, envelope('OperationDenied.ServiceNotOpen')).message).toMatch(/not activated/);
    expect(classify(429, envelope('SetLimitExceeded')).message).toMatch(/limit set on the account/);
  });

  describe('404', () => {
    it.each(['get', 'delete'] as const)('on %s of a task -> SeedanceTaskNotFoundError naming the task', (operation) => {
      const error = classify(404, envelope('ResourceNotFound'), operation);
      expect(error).toBeInstanceOf(SeedanceTaskNotFoundError);
      expect((error as SeedanceTaskNotFoundError).taskId).toBe('cgt-1');
      expect(error.message).toMatch(/7-day retention/);
    });

    it.each(['InvalidEndpoint.NotFound', 'InvalidEndpointOrModel.NotFound', 'ModelNotOpen'])(
      'on create with %s -> SeedanceInvalidRequestError with the code',
      (code) => {
        const error = classify(404, envelope(code), 'create');
        expect(error).toBeInstanceOf(SeedanceInvalidRequestError);
        expect(error.message).toContain(code);
        expect(error.message).toMatch(/model or endpoint/);
      },
    );

    it('without an envelope on create or list: a wrong base URL', () => {
      expect(classify(404, '<html>Not Found</html>', 'create').message).toMatch(/check the base URL/);
      expect(classify(404, undefined, 'list')).toBeInstanceOf(SeedanceInvalidRequestError);
    });
  });

  describe('Retry-After', () => {
    it('is honoured when present (seconds or HTTP date)', () => {
      const seconds = classify(429, envelope('ServerOverloaded'), 'get', { 'retry-after': '7' });
      expect((seconds as SeedanceRateLimitedError).retryAfterMs).toBe(7000);
      expect(seconds.message).toMatch(/retry after 7 s/);
      const date = new Date(NOW + 20_000).toUTCString();
      const dated = classify(429, envelope('ServerOverloaded'), 'get', { 'retry-after': date });
      expect((dated as SeedanceRateLimitedError).retryAfterMs).toBe(20_000);
    });

    it('is absent for ordinary rate limits without the header (the retry policy decides)', () => {
      const error = classify(429, envelope('RateLimitExceeded.EndpointRPMExceeded'));
      expect((error as SeedanceRateLimitedError).retryAfterMs).toBeUndefined();
    });

    it('defaults to a conservative 60 s for QuotaExceeded', () => {
      const error = classify(429, envelope('QuotaExceeded'), 'create') as SeedanceRateLimitedError;
      expect(error.retryAfterMs).toBe(QUOTA_EXCEEDED_RETRY_MS);
      expect(QUOTA_EXCEEDED_RETRY_MS).toBe(60_000);
      expect(error.message).toMatch(/too many tasks are queued/);
      const told = classify(429, envelope('QuotaExceeded'), 'create', { 'retry-after': '5' });
      expect((told as SeedanceRateLimitedError).retryAfterMs).toBe(5000);
    });
  });

  it('maps undocumented client errors to InvalidRequest and odd statuses to ServerError', () => {
    expect(classify(409, envelope('Conflict'))).toBeInstanceOf(SeedanceInvalidRequestError);
    expect(classify(413, undefined, 'create')).toBeInstanceOf(SeedanceInvalidRequestError);
    expect(classify(302, undefined)).toBeInstanceOf(SeedanceServerError);
  });

  it('keeps gateway pages and other shapes out of the message', () => {
    const error = classify(502, '<html><body><h1>502 Bad Gateway</h1><script>x</script></body></html>');
    expect(error).toBeInstanceOf(SeedanceServerError);
    expect(error.message).toBe('ModelArk (task cgt-1) answered with a server error (HTTP 502)');
  });

  describe('reading the envelope', () => {
    it('reads the documented envelope and the unwrapped one the SDK also accepts', () => {
      expect(apiError(envelope('InvalidParameter', 'bad `x`'))).toEqual({
        code: 'InvalidParameter',
        message: 'bad `x`',
      });
      expect(apiError(JSON.stringify({ code: 'AccessDenied', message: 'no' }))).toEqual({
        code: 'AccessDenied',
        message: 'no',
      });
    });

    it('drops a code that does not look like one, and signed URL queries from the message', () => {
      const body = JSON.stringify({
        error: { code: 'bad code <script>', message: 'see https://x.example.com/a?X-Tos-Signature=SIGNED' },
      });
      expect(apiError(body)).toEqual({ message: 'see https://x.example.com/a' });
    });

    it('gives nothing for non-JSON and empty bodies', () => {
      expect(apiError('oops')).toEqual({});
      expect(apiError('')).toEqual({});
      expect(apiError(undefined)).toEqual({});
      expect(apiError('{"error":"plain"}')).toEqual({});
    });
  });
});

describe('ModelArk tasks -> ProviderTask', () => {
  const base = { id: 'cgt-20260828062711-hj94q', model: 'seedance-1-5-pro-251215', created_at: 1_787_869_631 };
  const task = (fields: Record<string, unknown>): ModelArkTask => taskSchema.parse({ ...base, ...fields });

  it.each([
    ['queued', 'queued'],
    ['running', 'processing'],
    ['succeeded', 'completed'],
    ['failed', 'failed'],
    ['cancelled', 'cancelled'],
    ['expired', 'expired'],
  ] as const)('status %s -> %s', (modelark, neutral) => {
    expect(STATUS_FROM_MODELARK[modelark]).toBe(neutral);
  });

  it('maps a succeeded task with its URLs, usage, expiries and reported options', () => {
    const mapped = fromModelArkTask(
      task({
        status: 'succeeded',
        updated_at: 1_787_869_715,
        content: {
          video_url: 'https://tos.example.com/v.mp4?sig=1',
          last_frame_url: 'https://tos.example.com/f.png?sig=2',
        },
        usage: { completion_tokens: 246_840, total_tokens: 246_840 },
        resolution: '1080p',
        ratio: '16:9',
        duration: 5,
        service_tier: 'flex',
        execution_expires_after: 3600,
        error: null,
      }),
      NOW,
    );
    expect(mapped).toEqual({
      id: base.id,
      model: 'seedance-1-5-pro-251215',
      createdMs: 1_787_869_631_000,
      status: 'completed',
      videoUrl: 'https://tos.example.com/v.mp4?sig=1',
      lastFrameUrl: 'https://tos.example.com/f.png?sig=2',
      actualDuration: 5,
      error: null,
      errorCode: null,
      resolution: '1080p',
      serviceTier: 'flex',
      expiresAtMs: 1_787_869_631_000 + 3_600_000,
      videoUrlExpiresAtMs: 1_787_869_715_000 + 24 * 3_600_000,
      usage: { completionTokens: 246_840, totalTokens: 246_840 },
      // updated_at of a succeeded task: when it completed (the adaptive schedule learns from it).
      completedAtMs: 1_787_869_715_000,
    });
  });

  it('counts the video URL lifetime from now when updated_at is missing', () => {
    const mapped = fromModelArkTask(task({ status: 'succeeded', content: { video_url: 'https://v' } }), NOW);
    expect(mapped.videoUrlExpiresAtMs).toBe(NOW + 24 * 3_600_000);
  });

  it('uses the documented 48 h execution_expires_after when the task does not report it', () => {
    expect(fromModelArkTask(task({ status: 'queued' }), NOW).expiresAtMs).toBe(1_787_869_631_000 + 172_800_000);
  });

  it('reports a duration from frames when the task was made by frame count', () => {
    const mapped = fromModelArkTask(
      task({ status: 'succeeded', content: { video_url: 'https://v' }, frames: 121, framespersecond: 24 }),
      NOW,
    );
    expect(mapped.actualDuration).toBeCloseTo(5.04);
  });

  it('leaves the duration out while running (it echoes the request, maybe -1)', () => {
    expect(fromModelArkTask(task({ status: 'running', duration: -1 }), NOW).actualDuration).toBeNull();
  });

  it('carries a failed task’s error message and code', () => {
    const mapped = fromModelArkTask(
      task({
        status: 'failed',
        error: {
          code: 'OutputVideoSensitiveContentDetected.PolicyViolation',
          message: 'The output video may be related to copyright restrictions.',
        },
      }),
      NOW,
    );
    expect(mapped.status).toBe('failed');
    expect(mapped.error).toBe('The output video may be related to copyright restrictions.');
    expect(mapped.errorCode).toBe('OutputVideoSensitiveContentDetected.PolicyViolation');
    expect(mapped.videoUrl).toBeNull();
    expect(mapped.videoUrlExpiresAtMs).toBeNull();
  });

  it('explains an expired task that carries no error', () => {
    const mapped = fromModelArkTask(task({ status: 'expired', error: null, execution_expires_after: 7200 }), NOW);
    expect(mapped.error).toBe('the task expired: still queued or running after execution_expires_after (7200 s)');
  });

  it('gives a failed task without a message its code, or says there was none', () => {
    expect(fromModelArkTask(task({ status: 'failed', error: { code: 'X.Y' } }), NOW).error).toBe(
      'the task failed (X.Y)',
    );
    expect(fromModelArkTask(task({ status: 'failed' }), NOW).error).toMatch(/gave no reason/);
  });

  it('treats a service tier it does not know as unknown', () => {
    expect(fromModelArkTask(task({ status: 'queued', service_tier: 'scale' }), NOW).serviceTier).toBeNull();
  });

  it('refuses a succeeded task without content.video_url (retryable)', () => {
    for (const content of [null, {}, { video_url: '' }]) {
      const attempt = () => fromModelArkTask(task({ status: 'succeeded', content }), NOW);
      expect(attempt).toThrow(SeedanceInvalidResponseError);
    }
    expect(new SeedanceInvalidResponseError('x').retryable).toBe(true);
  });

  it('refuses a task without created_at', () => {
    expect(() => fromModelArkTask(taskSchema.parse({ id: 'cgt-1', status: 'queued' }), NOW)).toThrow(
      SeedanceInvalidResponseError,
    );
  });
});
