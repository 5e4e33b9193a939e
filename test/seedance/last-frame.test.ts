import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  SeedanceInvalidLastFrameError,
  SeedanceTimeoutError,
  SeedanceUnsafeUrlError,
  SeedanceVideoUnavailableError,
  SeedanceVideoUrlExpiredError,
} from '../../src/seedance/errors';
import {
  fetchLastFrame,
  hasPngSignature,
  PNG_SIGNATURE,
  type FetchLastFrameOptions,
} from '../../src/seedance/last-frame';
import type { Handler } from '../helpers/file-host';

const SIGNATURE = 'X-Tos-Signature=SECRETSIG0123';
/** Bytes that start like a PNG: the signature is what the fetch checks. */
const PNG = Buffer.concat([Buffer.from(PNG_SIGNATURE), randomBytes(200 * 1024)]);

const servePng: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(PNG.length) });
  res.end(PNG);
};

/** A real file host on 127.0.0.1; each test may set `handler`. */
let server: Server;
let origin: string;
let handler: Handler = servePng;
let bytesServed = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const write = res.write.bind(res);
    res.write = ((chunk: Buffer, ...rest: never[]) => {
      bytesServed += chunk.length;
      return write(chunk, ...rest);
    }) as typeof res.write;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  handler = servePng;
  bytesServed = 0;
});

/** Private addresses refused except the test server itself. */
const onlyTestServer: FetchLastFrameOptions = { allowPrivate: true, isAllowedAddress: (ip) => ip === '127.0.0.1' };
const signed = (path = '/last_frame.png') => `${origin}${path}?${SIGNATURE}`;

/** The failure of `promise`, which must fail without the URL's signature in its message. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as Error,
  );
  expect(error.message).not.toContain('SECRETSIG');
  return error;
}

describe('hasPngSignature', () => {
  it('accepts bytes that start with 89 50 4E 47 0D 0A 1A 0A, whatever follows', () => {
    expect(hasPngSignature(Buffer.from(PNG_SIGNATURE))).toBe(true);
    expect(hasPngSignature(PNG)).toBe(true);
  });

  it.each([
    ['nothing', Buffer.alloc(0)],
    ['the first 7 bytes of the signature', Buffer.from(PNG_SIGNATURE.slice(0, 7))],
    ['an HTML page', Buffer.from('<!doctype html><title>403</title>')],
    ['a JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46])],
    ['an MP4', Buffer.from('\0\0\0\x20ftypisom\0\0\x02\0', 'latin1')],
    ['a signature with CRLF turned into LF', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0a, 0x1a, 0x0a, 0])],
  ])('refuses %s', (_, bytes) => {
    expect(hasPngSignature(bytes)).toBe(false);
  });
});

describe('fetchLastFrame', () => {
  it('returns the whole PNG', async () => {
    expect((await fetchLastFrame(signed(), onlyTestServer)).equals(PNG)).toBe(true);
  });

  it('refuses an answer that is not a PNG as SeedanceInvalidLastFrameError (SeedanceVideoUnavailable, not retried)', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end('<html><body>Access denied</body></html>');
    };
    const error = await failure(fetchLastFrame(signed(), onlyTestServer));
    expect(error).toBeInstanceOf(SeedanceInvalidLastFrameError);
    expect(error).toMatchObject({ code: 'SeedanceVideoUnavailable', retryable: false });
    expect(error.message).toMatch(/not a PNG/);
  });

  it('refuses a body shorter than the signature', async () => {
    handler = (_req, res) => res.end(Buffer.from(PNG_SIGNATURE.slice(0, 4)));
    expect(await failure(fetchLastFrame(signed(), onlyTestServer))).toBeInstanceOf(SeedanceInvalidLastFrameError);
  });

  it('refuses a declared Content-Length above the cap before reading the body', async () => {
    const error = await failure(fetchLastFrame(signed(), { ...onlyTestServer, maxBytes: PNG.length - 1 }));
    expect(error).toBeInstanceOf(SeedanceInvalidLastFrameError);
    expect(error.message).toContain(`${PNG.length - 1}-byte cap`);
  });

  it('stops a chunked body at the cap', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.on('error', () => undefined); // the client hangs up at the cap
      let sent = 0;
      const more = () => {
        while (!res.destroyed && sent < 64 * 1024 * 1024) {
          sent += 64 * 1024;
          if (!res.write(sent === 64 * 1024 ? PNG : randomBytes(64 * 1024))) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    };
    const maxBytes = 1024 * 1024;
    const error = await failure(fetchLastFrame(signed(), { ...onlyTestServer, maxBytes }));
    expect(error).toBeInstanceOf(SeedanceInvalidLastFrameError);
    expect(bytesServed).toBeLessThan(16 * maxBytes);
  });

  it('reports a refused signed URL (403, 410) as expired, naming the last_frame_url to read afresh', async () => {
    for (const status of [403, 410]) {
      handler = (_req, res) => {
        res.writeHead(status);
        res.end('<Error><Code>AccessDenied</Code></Error>');
      };
      const error = await failure(fetchLastFrame(signed(), onlyTestServer));
      expect(error).toBeInstanceOf(SeedanceVideoUrlExpiredError);
      expect(error.message).toContain('last_frame_url');
      expect(error.message).toMatch(/^The last frame host/);
    }
  });

  it('follows a redirect to an allowed host', async () => {
    handler = (req, res) => {
      if (req.url?.startsWith('/moved')) return servePng(req, res);
      res.writeHead(302, { location: '/moved.png' });
      res.end();
    };
    expect((await fetchLastFrame(signed(), onlyTestServer)).equals(PNG)).toBe(true);
  });

  it('checks every redirect: one to an address the policy refuses is never followed', async () => {
    let followed = false;
    handler = (req, res) => {
      if (req.url?.startsWith('/moved')) followed = true;
      res.writeHead(302, { location: `http://127.0.0.2:${new URL(origin).port}/moved.png` });
      res.end();
    };
    const error = await failure(fetchLastFrame(signed(), onlyTestServer));
    expect(error).toBeInstanceOf(SeedanceUnsafeUrlError);
    expect(error.message).toMatch(/^Refused to download the last frame: the last frame URL points to a private/);
    expect(followed).toBe(false);
  });

  it('refuses a plain-http or private URL under the default policy, before connecting', async () => {
    const error = await failure(fetchLastFrame(signed(), { allowPrivate: false }));
    expect(error).toBeInstanceOf(SeedanceUnsafeUrlError);
    expect(bytesServed).toBe(0);
  });

  it('refuses a 206 to a request without a range', async () => {
    handler = (_req, res) => {
      res.writeHead(206, { 'content-range': `bytes 0-99/${PNG.length}`, 'content-length': '100' });
      res.end(PNG.subarray(0, 100));
    };
    const error = await failure(fetchLastFrame(signed(), onlyTestServer));
    expect(error).toBeInstanceOf(SeedanceVideoUnavailableError);
    expect(error).not.toBeInstanceOf(SeedanceInvalidLastFrameError);
  });

  it('gives up on a host that trickles the body past the timeout', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(PNG.subarray(0, 16));
      const timer = setInterval(() => res.write(PNG.subarray(16, 17)), 50);
      res.on('close', () => clearInterval(timer));
    };
    const started = Date.now();
    const error = await failure(fetchLastFrame(signed(), { ...onlyTestServer, timeoutMs: 400, idleTimeoutMs: 5_000 }));
    expect(error).toBeInstanceOf(SeedanceTimeoutError);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
