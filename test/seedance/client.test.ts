import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SeedanceClient } from '../../src/seedance/client';
import {
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
} from '../../src/seedance/errors';

const API_KEY = 'sk-test-SECRETKEY-0123456789';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A real HTTP server standing in for the Seedance API; each test sets `handler`. */
let server: Server;
let baseUrl: string;
let handler: Handler;
let seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kyyReactApiServer`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const clients: SeedanceClient[] = [];
afterEach(async () => {
  seen = [];
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function client(options: { timeoutMs?: number; baseUrl?: string } = {}): SeedanceClient {
  const created = new SeedanceClient({ apiKey: API_KEY, baseUrl, ...options });
  clients.push(created);
  return created;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

const task = {
  id: 'video_abc123def456',
  object: 'video',
  created: 1761635478,
  model: 'seedance_1_5_pro_720p',
  status: 'queued',
};
const request = {
  model: 'seedance_1_5_pro_720p',
  content: [{ type: 'text' as const, text: 'a red fox in snow' }],
  duration: 5,
};

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

describe('SeedanceClient.createTask', () => {
  it('posts the validated request with the key only in the Authorization header', async () => {
    handler = json(200, task);
    const created = await client().createTask(request);
    expect(created).toEqual(task);
    expect(seen).toHaveLength(1);
    const [post] = seen;
    expect(post?.method).toBe('POST');
    expect(post?.url).toBe('/kyyReactApiServer/v1/seedance/videos');
    expect(post?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(post?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(post?.body ?? '')).toEqual(request);
    expect(post?.url).not.toContain(API_KEY);
    expect(post?.body).not.toContain(API_KEY);
  });

  it('refuses an invalid request in plain words before sending anything', async () => {
    handler = json(200, task);
    const error = await failure(client().createTask({ model: 'Seedance 720p', content: [], duration: 30 } as never));
    expect(error).toBeInstanceOf(SeedanceInvalidRequestError);
    expect(error.message).toMatch(/model: a model name is lower-case/);
    expect(error.message).toMatch(/content: content needs at least one item/);
    expect(error.message).toMatch(/duration: duration is 4-12 seconds/);
    expect(seen).toHaveLength(0);
  });

  it('refuses unknown fields before sending anything', async () => {
    const error = await failure(client().createTask({ ...request, callback_url: 'https://x' } as never));
    expect(error).toBeInstanceOf(SeedanceInvalidRequestError);
    expect(error.message).toMatch(/callback_url/);
    expect(seen).toHaveLength(0);
  });
});

describe('SeedanceClient.getTask', () => {
  it('queries the task by id and returns it parsed', async () => {
    const done = {
      ...task,
      status: 'completed',
      video_url: 'https://cdn.example.com/v.mp4?sig=abc',
      actualDuration: 5,
      extra: 1,
    };
    handler = json(200, done);
    const result = await client().getTask('video_abc123def456');
    expect(result.status).toBe('completed');
    expect(result.video_url).toBe(done.video_url);
    expect(seen[0]?.url).toBe('/kyyReactApiServer/v1/result/video_abc123def456');
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it.each(['', '../admin', 'a/b', 'a?b=c', 'a%2Fb', 'a b', 'x'.repeat(129), 'video\u0000', '_leading'])(
    'refuses the id %j before any request',
    async (id) => {
      handler = json(200, task);
      const error = await failure(client().getTask(id));
      expect(error).toBeInstanceOf(SeedanceInvalidRequestError);
      expect(seen).toHaveLength(0);
    },
  );

  it('refuses an answer about another task', async () => {
    handler = json(200, { ...task, id: 'video_other' });
    expect(await failure(client().getTask('video_abc123def456'))).toBeInstanceOf(SeedanceInvalidResponseError);
  });
});

describe('HTTP answers become typed errors', () => {
  it.each([
    [400, SeedanceInvalidRequestError, false],
    [401, SeedanceUnauthorizedError, false],
    [403, SeedanceForbiddenError, false],
    [404, SeedanceTaskNotFoundError, false],
    [500, SeedanceServerError, true],
    [503, SeedanceServerError, true],
  ] as const)('HTTP %i -> %o', async (status, type, retryable) => {
    handler = json(
      status,
      { error: { code: status, message: `Invalid API key: ${API_KEY}`, type: 'x' } },
      {
        'www-authenticate': `Bearer realm="${API_KEY}"`,
      },
    );
    const error = await failure(client().getTask('video_abc123def456'));
    expect(error).toBeInstanceOf(type);
    expect(isSeedanceError(error) && error.retryable).toBe(retryable);
    expect(error.message).toContain(String(status));
    expect(error.message).toContain('[redacted]');
  });

  it('honours Retry-After on 429', async () => {
    handler = json(429, { error: { message: 'slow down' } }, { 'retry-after': '7' });
    const error = await failure(client().getTask('video_abc123def456'));
    expect(error).toBeInstanceOf(SeedanceRateLimitedError);
    expect((error as SeedanceRateLimitedError).retryAfterMs).toBe(7000);
  });

  it('reads an HTTP-date Retry-After', async () => {
    handler = json(429, '', { 'retry-after': new Date(Date.now() + 20_000).toUTCString() });
    const error = (await failure(client().getTask('video_abc123def456'))) as SeedanceRateLimitedError;
    expect(error.retryAfterMs).toBeGreaterThan(15_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(20_000);
  });

  it('keeps an HTML gateway page out of the message', async () => {
    handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1><script>x</script></body></html>');
    };
    const error = await failure(client().getTask('video_abc123def456'));
    expect(error).toBeInstanceOf(SeedanceServerError);
    expect(error.message).not.toMatch(/html|script/i);
  });

  it.each([
    ['not JSON', 'this is not json'],
    ['a JSON array', '[]'],
    ['a task without a status', JSON.stringify({ ...task, status: undefined })],
    ['a task with an unknown status', JSON.stringify({ ...task, status: 'exploded' })],
  ])('maps a 2xx answer with %s to SeedanceInvalidResponseError', async (_what, body) => {
    handler = json(200, body);
    const error = await failure(client().getTask('video_abc123def456'));
    expect(error).toBeInstanceOf(SeedanceInvalidResponseError);
    expect((error as SeedanceInvalidResponseError).retryable).toBe(true);
  });

  it('refuses an oversized answer instead of buffering it', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"id":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    };
    expect(await failure(client().getTask('video_abc123def456'))).toBeInstanceOf(SeedanceInvalidResponseError);
  });

  it('never echoes a 2xx body (it may hold a signed URL) in the message', async () => {
    handler = json(200, { ...task, status: 'weird', video_url: 'https://cdn.example.com/v.mp4?sig=SIGNED' });
    const error = await failure(client().getTask('video_abc123def456'));
    expect(error.message).not.toContain('SIGNED');
  });
});

describe('transport failures', () => {
  it('times out a server that never answers', async () => {
    handler = () => undefined;
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 300 }).getTask('video_abc123def456'));
    expect(error).toBeInstanceOf(SeedanceTimeoutError);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('times out a body that stops half way', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"id":');
    };
    expect(await failure(client({ timeoutMs: 300 }).getTask('video_abc123def456'))).toBeInstanceOf(
      SeedanceTimeoutError,
    );
  });

  it('reports a refused connection as never sent', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(client({ baseUrl: `http://127.0.0.1:${port}` }).createTask(request));
    expect(error).toBeInstanceOf(SeedanceNetworkError);
    expect((error as SeedanceNetworkError).sent).toBe(false);
  });

  it('reports a reset after the request arrived as possibly sent', async () => {
    handler = (req) => req.socket.resetAndDestroy();
    const error = await failure(client().createTask(request));
    expect(error).toBeInstanceOf(SeedanceNetworkError);
    expect((error as SeedanceNetworkError).sent).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it('rejects with the caller’s abort reason, not a Seedance error', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    const pending = client().getTask('video_abc123def456', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by workflow')), 50);
    await expect(pending).rejects.toThrow('cancelled by workflow');
  });

  it('keeps the key out of the client’s own representation', () => {
    const c = client();
    expect(JSON.stringify(c)).not.toContain(API_KEY);
    expect(String(Object.values(c))).not.toContain(API_KEY);
  });
});
