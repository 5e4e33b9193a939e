/**
 * `resumeVideo` and `servesExactly` against a real file host on 127.0.0.1: every ranged answer is
 * turned into one decision (append, restart, complete) or a typed error.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { cdnLike, type Handler } from '../helpers/file-host';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SeedanceVideoChangedError, SeedanceVideoUnavailableError } from '../../src/seedance/errors';
import { resumeVideo, servesExactly, type ResumeDecision, type ResumeOptions } from '../../src/seedance/video-resume';

const VIDEO = randomBytes(32 * 1024);
const ETAG = '"v1-abc"';

let server: Server;
let url: string;
let handler: Handler;
let seen: IncomingMessage['headers'][] = [];

/** Serves VIDEO with ETag, Range and If-Range like a CDN. */
const serveVideo = cdnLike(VIDEO, ETAG);

/** A host that ignores Range and has no ETag. */
const ignoreRange: Handler = (_req, res) => {
  res.writeHead(200, { 'content-length': String(VIDEO.length) });
  res.end(VIDEO);
};

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/video.mp4?sig=x`;
  handler = serveVideo;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  seen = [];
  handler = serveVideo;
});

const local: ResumeOptions = { allowPrivate: true };

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function bodyOf(decision: ResumeDecision): Promise<Buffer> {
  if (decision.kind === 'complete') throw new Error('expected a body');
  return readAll(decision.body);
}

describe('resumeVideo', () => {
  it('appends the whole file when nothing is on disk yet, without a range', async () => {
    const decision = await resumeVideo(url, { offset: 0, etag: null }, local);
    expect(decision).toMatchObject({ kind: 'append', etag: ETAG, totalBytes: VIDEO.length });
    expect((await bodyOf(decision)).equals(VIDEO)).toBe(true);
    expect(seen[0]?.range).toBeUndefined();
    expect(seen[0]?.['if-range']).toBeUndefined();
  });

  it('appends the rest after the offset, asked with Range and If-Range', async () => {
    const decision = await resumeVideo(url, { offset: 1000, etag: ETAG }, local);
    expect(decision).toMatchObject({ kind: 'append', etag: ETAG, totalBytes: VIDEO.length });
    expect((await bodyOf(decision)).equals(VIDEO.subarray(1000))).toBe(true);
    expect(seen[0]?.range).toBe('bytes=1000-');
    expect(seen[0]?.['if-range']).toBe(ETAG);
  });

  it('sends no If-Range without an ETag', async () => {
    const decision = await resumeVideo(url, { offset: 1000, etag: null }, local);
    expect(decision.kind).toBe('append');
    await bodyOf(decision);
    expect(seen[0]?.range).toBe('bytes=1000-');
    expect(seen[0]?.['if-range']).toBeUndefined();
  });

  it('restarts when the file changed since the partial (If-Range answered with the whole file)', async () => {
    const decision = await resumeVideo(url, { offset: 1000, etag: '"v0-old"' }, local);
    expect(decision).toMatchObject({ kind: 'restart', etag: ETAG, totalBytes: VIDEO.length });
    expect((await bodyOf(decision)).equals(VIDEO)).toBe(true);
  });

  it('restarts when the host ignores Range; a missing ETag is null', async () => {
    handler = ignoreRange;
    const decision = await resumeVideo(url, { offset: 1000, etag: null }, local);
    expect(decision).toMatchObject({ kind: 'restart', etag: null, totalBytes: VIDEO.length });
    await bodyOf(decision);
  });

  it('is complete when the host answers 416 at the partial’s length', async () => {
    const decision = await resumeVideo(url, { offset: VIDEO.length, etag: ETAG }, local);
    expect(decision).toEqual({ kind: 'complete', totalBytes: VIDEO.length });
  });

  it('starts over (SeedanceVideoChangedError) on a 416 anywhere else', async () => {
    handler = (_req, res) => {
      res.writeHead(416, { 'content-range': `bytes */${VIDEO.length}` });
      res.end();
    };
    const error = await resumeVideo(url, { offset: 1000, etag: ETAG }, local).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeedanceVideoChangedError);
  });

  it('starts over on a 416 without a total', async () => {
    handler = (_req, res) => {
      res.writeHead(416);
      res.end();
    };
    const error = await resumeVideo(url, { offset: 1000, etag: ETAG }, local).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeedanceVideoChangedError);
  });

  it('starts over on a 206 of another version than the partial’s ETag', async () => {
    handler = (_req, res) => {
      res.writeHead(206, { 'content-range': `bytes 1000-1999/2000`, 'content-length': '1000', etag: '"v2"' });
      res.end(VIDEO.subarray(0, 1000));
    };
    const error = await resumeVideo(url, { offset: 1000, etag: ETAG }, local).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeedanceVideoChangedError);
  });
});

describe('servesExactly', () => {
  it('is true when a range at the end is answered 416 with that total', async () => {
    expect(await servesExactly(url, VIDEO.length, local)).toBe(true);
    expect(seen[0]?.range).toBe(`bytes=${VIDEO.length}-`);
    expect(seen[0]?.['if-range']).toBeUndefined();
  });

  it('is true when a host that ignores Range sends that Content-Length', async () => {
    handler = ignoreRange;
    expect(await servesExactly(url, VIDEO.length, local)).toBe(true);
  });

  it('is false when the host has more bytes (206)', async () => {
    expect(await servesExactly(url, VIDEO.length - 10, local)).toBe(false);
  });

  it('is false when the size differs', async () => {
    expect(await servesExactly(url, VIDEO.length + 10, local)).toBe(false);
    handler = ignoreRange;
    expect(await servesExactly(url, VIDEO.length - 10, local)).toBe(false);
  });

  it('lets openVideo’s typed errors through', async () => {
    handler = (_req, res) => {
      res.writeHead(404);
      res.end();
    };
    const error = await servesExactly(url, VIDEO.length, local).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeedanceVideoUnavailableError);
  });
});
