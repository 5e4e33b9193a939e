import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { cdnLike, type Handler } from '../helpers/file-host';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  SeedanceNetworkError,
  SeedanceServerError,
  SeedanceTimeoutError,
  SeedanceUnsafeUrlError,
  SeedanceVideoChangedError,
  SeedanceVideoUnavailableError,
  SeedanceVideoUrlExpiredError,
  isSeedanceError,
} from '../../src/seedance/errors';
import { isPublicAddress } from '../../src/seedance/url-safety';
import { openVideo, parseContentRange, type OpenVideoOptions } from '../../src/seedance/video-download';

const VIDEO = randomBytes(64 * 1024);
const ETAG = '"v1-abc"';
const SIGNATURE = 'X-Amz-Signature=SECRETSIG0123';
const API_KEY = 'sk-test-SECRETKEY-0123456789';

/** A real file host on 127.0.0.1; each test sets `handler` (default: `serveVideo`). */
let server: Server;
let origin: string;
let port: number;
let handler: Handler;
let seen: IncomingMessage['headers'][] = [];
let paths: string[] = [];

/** Serves VIDEO with ETag, Range and If-Range like a CDN. */
const serveVideo = cdnLike(VIDEO, ETAG, { 'content-type': 'video/mp4' });

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    paths.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  handler = serveVideo;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  seen = [];
  paths = [];
  handler = serveVideo;
});

const local: OpenVideoOptions = { allowPrivate: true };
/** Private addresses refused except the test server itself. */
const onlyTestServer: OpenVideoOptions = { allowPrivate: true, isAllowedAddress: (ip) => ip === '127.0.0.1' };
const signed = (path = '/video.mp4') => `${origin}${path}?${SIGNATURE}`;

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Awaits a failure and checks that neither the signature nor the key leaks into it. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    for (const text of [String(error), (error as Error).message, String((error as Error).cause ?? '')]) {
      expect(text).not.toContain('SECRETSIG');
      expect(text).not.toContain(API_KEY);
    }
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('openVideo answers', () => {
  it('streams the whole file with identity encoding and no Authorization header', async () => {
    const video = await openVideo(signed(), local);
    expect(video).toMatchObject({ status: 200, etag: ETAG, totalBytes: VIDEO.length, contentLength: VIDEO.length });
    expect((await readAll(video.body)).equals(VIDEO)).toBe(true);
    expect(seen[0]?.['accept-encoding']).toBe('identity');
    expect(seen[0]?.authorization).toBeUndefined();
    expect(seen[0]?.range).toBeUndefined();
  });

  it('resumes with Range and If-Range and returns the rest', async () => {
    const video = await openVideo(signed(), { ...local, start: 40_000, ifRange: ETAG });
    expect(video).toMatchObject({
      status: 206,
      rangeStart: 40_000,
      totalBytes: VIDEO.length,
      contentLength: VIDEO.length - 40_000,
    });
    expect((await readAll(video.body)).equals(VIDEO.subarray(40_000))).toBe(true);
    expect(seen[0]?.range).toBe('bytes=40000-');
    expect(seen[0]?.['if-range']).toBe(ETAG);
  });

  it('returns 200 (the whole file) when the file changed since the partial', async () => {
    const video = await openVideo(signed(), { ...local, start: 40_000, ifRange: '"v0-old"' });
    expect(video.status).toBe(200);
    expect((await readAll(video.body)).length).toBe(VIDEO.length);
  });

  it('returns 200 when the server ignores Range', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': String(VIDEO.length) });
      res.end(VIDEO);
    };
    const video = await openVideo(signed(), { ...local, start: 1000 });
    expect(video.status).toBe(200);
    expect(video.etag).toBeUndefined();
    await readAll(video.body);
  });

  it('reports 416 with the total when the partial is already complete', async () => {
    const video = await openVideo(signed(), { ...local, start: VIDEO.length, ifRange: ETAG });
    expect(video).toMatchObject({ status: 416, totalBytes: VIDEO.length });
    expect((await readAll(video.body)).length).toBe(0);
  });

  it('refuses a 206 that does not start at the requested byte', async () => {
    handler = (_req, res) => {
      res.writeHead(206, { 'content-range': `bytes 0-99/${VIDEO.length}`, 'content-length': '100' });
      res.end(VIDEO.subarray(0, 100));
    };
    expect(await failure(openVideo(signed(), { ...local, start: 500 }))).toBeInstanceOf(SeedanceVideoChangedError);
  });

  it('refuses a 206 of another version than If-Range asked for', async () => {
    handler = (_req, res) => {
      res.writeHead(206, { 'content-range': `bytes 500-999/1000`, 'content-length': '500', etag: '"v2"' });
      res.end(VIDEO.subarray(0, 500));
    };
    expect(await failure(openVideo(signed(), { ...local, start: 500, ifRange: ETAG }))).toBeInstanceOf(
      SeedanceVideoChangedError,
    );
  });

  it('ignores weak ETags', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { etag: 'W/"weak"', 'content-length': '3' });
      res.end('abc');
    };
    const video = await openVideo(signed(), local);
    expect(video.etag).toBeUndefined();
    await readAll(video.body);
  });

  it('refuses a compressed body: offsets must mean bytes on disk', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end('x');
    };
    expect(await failure(openVideo(signed(), local))).toBeInstanceOf(SeedanceVideoUnavailableError);
  });

  it.each([
    [403, SeedanceVideoUrlExpiredError, true],
    [410, SeedanceVideoUrlExpiredError, true],
    [412, SeedanceVideoChangedError, true],
    [404, SeedanceVideoUnavailableError, false],
    [400, SeedanceVideoUnavailableError, false],
    [500, SeedanceServerError, true],
    [503, SeedanceServerError, true],
  ] as const)('maps HTTP %i to %o (retryable: %s)', async (status, type, retryable) => {
    handler = (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(`<Error><Message>Request has expired ${SIGNATURE}</Message></Error>`);
    };
    const error = await failure(openVideo(signed(), { ...local, start: 10, ifRange: ETAG }));
    expect(error).toBeInstanceOf(type);
    expect(isSeedanceError(error) && error.retryable).toBe(retryable);
    expect(error.message).toContain(`${origin}/video.mp4`);
  });
});

describe('openVideo redirects', () => {
  it('follows a relative redirect and re-sends Range, never Authorization', async () => {
    handler = (req, res) => {
      if (req.url?.startsWith('/start')) {
        res.writeHead(302, { location: `/video.mp4?${SIGNATURE}` });
        res.end();
      } else serveVideo(req, res);
    };
    const video = await openVideo(signed('/start'), { ...onlyTestServer, start: 100, ifRange: ETAG });
    expect(video.status).toBe(206);
    expect((await readAll(video.body)).equals(VIDEO.subarray(100))).toBe(true);
    expect(paths.map((p) => p.split('?')[0])).toEqual(['/start', '/video.mp4']);
    expect(seen.every((h) => h.authorization === undefined && h.range === 'bytes=100-')).toBe(true);
  });

  it.each([
    ['another loopback address', () => `http://127.0.0.2:${port}/video.mp4`],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
    ['an IPv4-mapped loopback', () => `http://[::ffff:7f00:2]:${port}/x`],
    ['IPv6 loopback', () => `http://[::1]:${port}/x`],
    ['a private network', () => 'http://10.0.0.7/x'],
    ['a non-http scheme', () => 'file:///etc/passwd'],
  ])('refuses a redirect to %s before connecting', async (_what, location) => {
    handler = (_req, res) => {
      res.writeHead(307, { location: `${location()}?${SIGNATURE}` });
      res.end();
    };
    const error = await failure(openVideo(signed('/start'), onlyTestServer));
    expect(error).toBeInstanceOf(SeedanceUnsafeUrlError);
    expect((error as SeedanceUnsafeUrlError).retryable).toBe(false);
    expect(seen).toHaveLength(1);
  });

  it('refuses a redirect to a host name that resolves to a refused address (checked at connect time)', async () => {
    // The first hop is a second server on 127.0.0.2, the only address the policy allows; it
    // redirects to `localhost`, which passes the URL check but resolves to 127.0.0.1.
    const first = createServer((_req, res) => {
      res.writeHead(302, { location: `http://localhost:${port}/video.mp4?${SIGNATURE}` });
      res.end();
    });
    await new Promise<void>((resolve) => first.listen(0, '127.0.0.2', resolve));
    try {
      const { port: firstPort } = first.address() as AddressInfo;
      const policy: OpenVideoOptions = { allowPrivate: true, isAllowedAddress: (ip) => ip === '127.0.0.2' };
      const error = await failure(openVideo(`http://127.0.0.2:${firstPort}/start?${SIGNATURE}`, policy));
      expect(error).toBeInstanceOf(SeedanceUnsafeUrlError);
      expect(error.message).toMatch(/localhost resolves only to private/);
      expect(seen).toHaveLength(0);
    } finally {
      first.closeAllConnections();
      await new Promise((resolve) => first.close(resolve));
    }
  });

  it('stops after maxRedirects', async () => {
    handler = (_req, res) => {
      res.writeHead(302, { location: '/again' });
      res.end();
    };
    expect(await failure(openVideo(signed('/start'), { ...onlyTestServer, maxRedirects: 3 }))).toBeInstanceOf(
      SeedanceVideoUnavailableError,
    );
    expect(seen).toHaveLength(4);
  });
});

describe('openVideo refuses unsafe URLs before any connection', () => {
  it.each([
    ['http on a public host', 'http://cdn.example.com/v.mp4'],
    ['a literal loopback address', 'https://127.0.0.1/v.mp4'],
    ['the metadata address', 'https://169.254.169.254/latest/meta-data/'],
    ['credentials in the URL', 'https://user:pw@cdn.example.com/v.mp4'],
    ['localhost', 'https://localhost/v.mp4'],
  ])('%s', async (_what, url) => {
    const error = await failure(openVideo(`${url}?${SIGNATURE}`, { allowPrivate: false }));
    expect(error).toBeInstanceOf(SeedanceUnsafeUrlError);
  });

  it('refuses the local test server itself without allowPrivate', async () => {
    expect(await failure(openVideo(signed(), { allowPrivate: false }))).toBeInstanceOf(SeedanceUnsafeUrlError);
    expect(seen).toHaveLength(0);
  });

  it('checks DNS answers at connect time: a name resolving to loopback is refused', async () => {
    const publicOnly: OpenVideoOptions = { allowPrivate: true, isAllowedAddress: isPublicAddress };
    const error = await failure(openVideo(`http://localhost:${port}/video.mp4?${SIGNATURE}`, publicOnly));
    expect(error).toBeInstanceOf(SeedanceUnsafeUrlError);
    expect(error.message).toMatch(/resolves only to private/);
    expect(seen).toHaveLength(0);
  });
});

describe('openVideo stalls and broken bodies', () => {
  it('times out when the headers never come', async () => {
    handler = () => undefined;
    const error = await failure(openVideo(signed(), { ...local, headersTimeoutMs: 200 }));
    expect(error).toBeInstanceOf(SeedanceTimeoutError);
  });

  it('fails the body with SeedanceTimeoutError after idleTimeoutMs of silence', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': String(VIDEO.length) });
      res.write(VIDEO.subarray(0, 1000));
    };
    const video = await openVideo(signed(), { ...local, idleTimeoutMs: 200 });
    const error = await failure(readAll(video.body));
    expect(error).toBeInstanceOf(SeedanceTimeoutError);
  });

  it('fails the body with a typed network error on a reset mid-body', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-length': String(VIDEO.length) });
      res.write(VIDEO.subarray(0, 1000), () => setTimeout(() => req.socket.resetAndDestroy(), 20));
    };
    const video = await openVideo(signed(), local);
    const error = await failure(readAll(video.body));
    expect(error).toBeInstanceOf(SeedanceNetworkError);
  });

  it('fails the body when the server closes cleanly before Content-Length', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-length': String(VIDEO.length) });
      res.write(VIDEO.subarray(0, 1000), () => req.socket.end());
    };
    const video = await openVideo(signed(), local);
    expect(isSeedanceError(await failure(readAll(video.body)))).toBe(true);
  });

  it('rejects with the caller’s abort reason', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    const pending = openVideo(signed(), { ...local, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('activity cancelled')), 50);
    await expect(pending).rejects.toThrow('activity cancelled');
  });

  it('errors the body with the caller’s abort reason mid-stream', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': String(VIDEO.length) });
      res.write(VIDEO.subarray(0, 1000));
    };
    const controller = new AbortController();
    const video = await openVideo(signed(), { ...local, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('activity cancelled')), 50);
    await expect(readAll(video.body)).rejects.toThrow('activity cancelled');
  });
});

describe('helpers', () => {
  it('parses Content-Range', () => {
    expect(parseContentRange('bytes 10-99/100')).toEqual({ start: 10, end: 99, total: 100 });
    expect(parseContentRange('bytes 10-99/*')).toEqual({ start: 10, end: 99 });
    expect(parseContentRange('bytes 10-100/100')).toBeUndefined();
    expect(parseContentRange('bytes */100')).toBeUndefined();
    expect(parseContentRange(undefined)).toBeUndefined();
  });
});
