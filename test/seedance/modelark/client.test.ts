import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  SeedanceContentRefusedError,
  SeedanceForbiddenError,
  SeedanceInvalidRequestError,
  SeedanceInvalidResponseError,
  SeedanceNetworkError,
  SeedanceRateLimitedError,
  SeedanceServerError,
  SeedanceTaskNotFoundError,
  SeedanceTimeoutError,
  SeedanceUnauthorizedError,
  isSeedanceError,
} from '../../../src/seedance/errors';
import { MODELARK_BASE_URL, ModelArkClient, VOLCENGINE_BASE_URL } from '../../../src/seedance/modelark/client';
import { arkError, arkTask, json, startLocalApi, type LocalApi } from './local-api';

const API_KEY = 'ark-test-SECRETKEY-0123456789';
const TASK_ID = 'cgt-20251009163014-wfnnx';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api.close();
});

const clients: ModelArkClient[] = [];
afterEach(async () => {
  api.seen = [];
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function client(options: { timeoutMs?: number; baseUrl?: string } = {}): ModelArkClient {
  const created = new ModelArkClient({ apiKey: API_KEY, baseUrl: api.baseUrl, ...options });
  clients.push(created);
  return created;
}

/** The error a call rejects with, after checking that the key is nowhere in it. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(String(error)).not.toContain(API_KEY);
    expect((error as Error).message).not.toContain(API_KEY);
    expect(String((error as Error).cause ?? '')).not.toContain(API_KEY);
    return error as Error;
  }
  throw new Error('expected a failure');
}

const request = {
  model: 'seedance-1-5-pro-251215',
  content: [{ type: 'text' as const, text: 'a red fox in snow' }],
  resolution: '1080p' as const,
  duration: 5,
  generate_audio: true,
};

describe('ModelArkClient.createTask', () => {
  it('posts the validated request with the key only in the Authorization header', async () => {
    api.handler = json(200, { id: TASK_ID });
    expect(await client().createTask(request)).toEqual({ id: TASK_ID });
    expect(api.seen).toHaveLength(1);
    const [post] = api.seen;
    expect(post?.method).toBe('POST');
    expect(post?.url).toBe('/api/v3/contents/generations/tasks');
    expect(post?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(post?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(post?.body ?? '')).toEqual(request);
    expect(post?.url).not.toContain(API_KEY);
    expect(post?.body).not.toContain(API_KEY);
  });

  it('never sends the nulls the official SDK style passes', async () => {
    api.handler = json(200, { id: TASK_ID });
    await client().createTask({ ...request, callback_url: null, seed: null, draft: null, service_tier: null });
    expect(JSON.parse(api.seen[0]?.body ?? '')).toEqual(request);
    expect(api.seen[0]?.body).not.toContain('null');
  });

  it('refuses an invalid request in plain words before sending anything', async () => {
    api.handler = json(200, { id: TASK_ID });
    const error = await failure(
      client().createTask({ ...request, draft: true, resolution: '720p', duration: 30 } as never),
    );
    expect(error).toBeInstanceOf(SeedanceInvalidRequestError);
    expect(error.message).toMatch(/^The create request is invalid for ModelArk: /);
    expect(error.message).toMatch(/duration: duration is 4-12 seconds/);
    expect(api.seen).toHaveLength(0);
    const draft = await failure(client().createTask({ ...request, draft: true, resolution: '720p' }));
    expect(draft.message).toMatch(/resolution: a draft is 480p only/);
    expect(api.seen).toHaveLength(0);
  });

  it('reads the id from an answer with extra fields', async () => {
    api.handler = json(200, { id: TASK_ID, safety_identifier: 'u-1', status: 'queued' });
    expect(await client().createTask(request)).toEqual({ id: TASK_ID });
  });

  it.each([
    ['no id', '{}'],
    ['an unsafe id', JSON.stringify({ id: '../admin' })],
    ['not JSON', 'OK'],
    ['an empty body', ''],
  ])('maps a create answer with %s to SeedanceInvalidResponseError', async (_what, body) => {
    api.handler = json(200, body);
    const error = await failure(client().createTask(request));
    expect(error).toBeInstanceOf(SeedanceInvalidResponseError);
    expect((error as SeedanceInvalidResponseError).retryable).toBe(true);
  });
});

describe('ModelArkClient.getTask', () => {
  it('queries the task by id and returns it parsed, tolerant of extra fields and nulls', async () => {
    const body = arkTask(TASK_ID, 'succeeded', {
      content: { video_url: 'https://tos.example.com/v.mp4?X-Tos-Signature=s', last_frame_url: null },
      usage: { completion_tokens: 108900, total_tokens: 108900 },
      priority: 0,
      output_format: 'mp4',
      seed: null,
    });
    api.handler = json(200, body);
    const task = await client().getTask(TASK_ID);
    expect(task.status).toBe('succeeded');
    expect(task.content?.video_url).toBe('https://tos.example.com/v.mp4?X-Tos-Signature=s');
    expect(api.seen[0]?.method).toBe('GET');
    expect(api.seen[0]?.url).toBe(`/api/v3/contents/generations/tasks/${TASK_ID}`);
    expect(api.seen[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it.each(['', '../admin', 'a/b', 'a?b=c', 'a%2Fb', 'a b', 'x'.repeat(129), 'cgt\u0000', '-leading'])(
    'refuses the id %j before any request',
    async (id) => {
      api.handler = json(200, arkTask(TASK_ID, 'queued'));
      const error = await failure(client().getTask(id));
      expect(error).toBeInstanceOf(SeedanceInvalidRequestError);
      expect(api.seen).toHaveLength(0);
    },
  );

  it('refuses an answer about another task', async () => {
    api.handler = json(200, arkTask('cgt-20251009163014-other', 'queued'));
    expect(await failure(client().getTask(TASK_ID))).toBeInstanceOf(SeedanceInvalidResponseError);
  });

  it.each([
    ['not JSON', 'this is not json'],
    ['a JSON array', '[]'],
    ['a task without a status', JSON.stringify({ id: TASK_ID })],
    ['a task with an unknown status', JSON.stringify(arkTask(TASK_ID, 'paused'))],
  ])('maps a 200 with %s to a retryable SeedanceInvalidResponseError', async (_what, body) => {
    api.handler = json(200, body);
    const error = await failure(client().getTask(TASK_ID));
    expect(error).toBeInstanceOf(SeedanceInvalidResponseError);
    expect((error as SeedanceInvalidResponseError).retryable).toBe(true);
  });

  it('never echoes a 200 body (it may hold a signed URL) in the message', async () => {
    api.handler = json(
      200,
      arkTask(TASK_ID, 'weird', { content: { video_url: 'https://tos.example.com/v?sig=SIGNED' } }),
    );
    expect((await failure(client().getTask(TASK_ID))).message).not.toContain('SIGNED');
  });
});

describe('ModelArkClient.listTasks', () => {
  it('encodes the page and the filters as the API names them, task ids repeated', async () => {
    api.handler = json(200, { items: [arkTask(TASK_ID, 'queued')], total: 41 });
    const list = await client().listTasks({
      pageNum: 2,
      pageSize: 20,
      status: 'queued',
      taskIds: [TASK_ID, 'cgt-20251009163015-abcde'],
      model: 'ep-20251215123456-abcde',
      serviceTier: 'flex',
    });
    expect(list.total).toBe(41);
    expect(list.items.map((t) => t.id)).toEqual([TASK_ID]);
    const url = new URL(api.seen[0]?.url ?? '', 'http://x');
    expect(url.pathname).toBe('/api/v3/contents/generations/tasks');
    expect([...url.searchParams]).toEqual([
      ['page_num', '2'],
      ['page_size', '20'],
      ['filter.status', 'queued'],
      ['filter.task_ids', TASK_ID],
      ['filter.task_ids', 'cgt-20251009163015-abcde'],
      ['filter.model', 'ep-20251215123456-abcde'],
      ['filter.service_tier', 'flex'],
    ]);
  });

  it('sends no query string without filters', async () => {
    api.handler = json(200, { items: [], total: 0 });
    expect(await client().listTasks()).toEqual({ items: [], total: 0 });
    expect(api.seen[0]?.url).toBe('/api/v3/contents/generations/tasks');
  });

  it.each([
    ['page_num 0', { pageNum: 0 }],
    ['page_size 501', { pageSize: 501 }],
    ['an unsafe task id', { taskIds: ['a&filter.status=failed'] }],
    ['an unknown status', { status: 'paused' }],
    ['an unknown tier', { serviceTier: 'scale' }],
  ])('refuses %s before sending anything', async (_what, query) => {
    const error = await failure(client().listTasks(query as never));
    expect(error).toBeInstanceOf(SeedanceInvalidRequestError);
    expect(api.seen).toHaveLength(0);
  });

  it('refuses a list answer without a total', async () => {
    api.handler = json(200, { items: [] });
    expect(await failure(client().listTasks())).toBeInstanceOf(SeedanceInvalidResponseError);
  });
});

describe('ModelArkClient.deleteTask', () => {
  it.each([
    ['an empty body', ''],
    ['{}', '{}'],
  ])('sends DELETE for the task and accepts %s', async (_what, body) => {
    api.handler = json(200, body);
    await client().deleteTask(TASK_ID);
    expect(api.seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      `DELETE /api/v3/contents/generations/tasks/${TASK_ID}`,
    ]);
    expect(api.seen[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('maps a 404 to SeedanceTaskNotFoundError', async () => {
    api.handler = json(404, arkError('ResourceNotFound', 'task not found', 'NotFound'));
    const error = await failure(client().deleteTask(TASK_ID));
    expect(error).toBeInstanceOf(SeedanceTaskNotFoundError);
    expect((error as SeedanceTaskNotFoundError).taskId).toBe(TASK_ID);
  });

  it('refuses an unsafe id before any request', async () => {
    expect(await failure(client().deleteTask('../tasks'))).toBeInstanceOf(SeedanceInvalidRequestError);
    expect(api.seen).toHaveLength(0);
  });
});

describe('error answers over HTTP', () => {
  it.each([
    [400, 'InvalidParameter', 'create', SeedanceInvalidRequestError, false],
    [400, 'MissingParameter', 'create', SeedanceInvalidRequestError, false],
    [400, 'InputTextSensitiveContentDetected', 'create', SeedanceContentRefusedError, false],
    [401, 'AuthenticationError', 'get', SeedanceUnauthorizedError, false],
    [403, 'AccountOverdueError', 'create', SeedanceForbiddenError, false],
    [403, 'AccessDenied', 'get', SeedanceForbiddenError, false],
    [403, 'OperationDenied.ServiceNotOpen', 'create', SeedanceForbiddenError, false],
    [404, 'ResourceNotFound', 'get', SeedanceTaskNotFoundError, false],
    [404, 'InvalidEndpointOrModel.NotFound', 'create', SeedanceInvalidRequestError, false],
    [404, 'ModelNotOpen', 'create', SeedanceInvalidRequestError, false],
    [429, 'RateLimitExceeded.EndpointRPMExceeded', 'create', SeedanceRateLimitedError, true],
    [429, 'QuotaExceeded', 'create', SeedanceRateLimitedError, true],
    [429, 'InflightBatchsizeExceeded', 'create', SeedanceRateLimitedError, true],
    [429, 'SetLimitExceeded', 'create', SeedanceForbiddenError, false],
    [500, 'InternalServiceError', 'get', SeedanceServerError, true],
  ] as const)('HTTP %i %s on %s -> %o', async (status, code, operation, type, retryable) => {
    api.handler = json(status, arkError(code, `Rejected key ${API_KEY}. Request id: 021700000000000`), {
      'www-authenticate': `Bearer realm="${API_KEY}"`,
    });
    const call = operation === 'create' ? client().createTask(request) : client().getTask(TASK_ID);
    const error = await failure(call);
    expect(error).toBeInstanceOf(type);
    expect(isSeedanceError(error) && error.retryable).toBe(retryable);
    expect(error.message).toContain(`HTTP ${status} ${code}`);
    expect(error.message).toContain('[redacted]');
    expect(error.message).toContain('Request id: 021700000000000');
    expect(error.message).toMatch(operation === 'get' ? /^ModelArk \(task cgt-/ : /^ModelArk /);
  });

  it('honours Retry-After on 429', async () => {
    api.handler = json(429, arkError('ServerOverloaded', 'busy'), { 'retry-after': '7' });
    const error = (await failure(client().getTask(TASK_ID))) as SeedanceRateLimitedError;
    expect(error).toBeInstanceOf(SeedanceRateLimitedError);
    expect(error.retryAfterMs).toBe(7000);
  });

  it('waits 60 s after QuotaExceeded when no Retry-After says otherwise', async () => {
    api.handler = json(429, arkError('QuotaExceeded', 'too many queued tasks'));
    const error = (await failure(client().createTask(request))) as SeedanceRateLimitedError;
    expect(error.retryAfterMs).toBe(60_000);
  });

  it('keeps an HTML gateway page out of the message', async () => {
    api.handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1><script>x</script></body></html>');
    };
    const error = await failure(client().getTask(TASK_ID));
    expect(error).toBeInstanceOf(SeedanceServerError);
    expect(error.message).not.toMatch(/html|script/i);
  });

  it('refuses an oversized answer instead of buffering it', async () => {
    api.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"id":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    };
    const error = await failure(client().getTask(TASK_ID));
    expect(error).toBeInstanceOf(SeedanceInvalidResponseError);
    expect(error.message).toMatch(/^ModelArk \(task cgt-20251009163014-wfnnx\) answered with a body larger than/);
  });
});

describe('transport failures', () => {
  it('times out a server that never answers', async () => {
    api.handler = () => undefined;
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 300 }).getTask(TASK_ID));
    expect(error).toBeInstanceOf(SeedanceTimeoutError);
    expect(error.message).toMatch(/^ModelArk \(task .*\) did not answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('times out a body that stops half way', async () => {
    api.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"id":');
    };
    expect(await failure(client({ timeoutMs: 300 }).getTask(TASK_ID))).toBeInstanceOf(SeedanceTimeoutError);
  });

  it('reports a refused connection as never sent', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(client({ baseUrl: `http://127.0.0.1:${port}/api/v3` }).createTask(request));
    expect(error).toBeInstanceOf(SeedanceNetworkError);
    expect((error as SeedanceNetworkError).sent).toBe(false);
    expect(error.message).toMatch(/the ModelArk API/);
  });

  it('reports a reset after the request arrived as possibly sent', async () => {
    api.handler = (req) => req.socket.resetAndDestroy();
    const error = await failure(client().createTask(request));
    expect(error).toBeInstanceOf(SeedanceNetworkError);
    expect((error as SeedanceNetworkError).sent).toBe(true);
  });

  it('rejects with the caller’s abort reason, not a Seedance error', async () => {
    api.handler = () => undefined;
    const controller = new AbortController();
    const pending = client().getTask(TASK_ID, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by workflow')), 50);
    await expect(pending).rejects.toThrow('cancelled by workflow');
  });
});

describe('construction', () => {
  it('defaults to BytePlus ap-southeast and knows the Volcengine base URL', () => {
    const byteplus = new ModelArkClient({ apiKey: API_KEY });
    clients.push(byteplus);
    expect(byteplus.baseUrl).toBe(MODELARK_BASE_URL);
    expect(MODELARK_BASE_URL).toBe('https://ark.ap-southeast.bytepluses.com/api/v3');
    expect(VOLCENGINE_BASE_URL).toBe('https://ark.cn-beijing.volces.com/api/v3');
  });

  it.each([
    [{ apiKey: '' }, /ModelArkClient: apiKey/],
    [{ apiKey: 'has space' }, /ModelArkClient: apiKey/],
    [{ apiKey: API_KEY, baseUrl: 'ark.example.com' }, /ModelArkClient: baseUrl/],
    [{ apiKey: API_KEY, baseUrl: 'https://u:p@ark.example.com/api/v3' }, /ModelArkClient: baseUrl/],
    [{ apiKey: API_KEY, timeoutMs: 0 }, /ModelArkClient: timeoutMs/],
  ])('refuses bad options %#', (options, message) => {
    expect(() => new ModelArkClient(options)).toThrow(message);
  });

  it('keeps the key out of the client’s own representation', () => {
    const c = client();
    expect(JSON.stringify(c)).not.toContain(API_KEY);
    expect(String(Object.values(c))).not.toContain(API_KEY);
  });
});
