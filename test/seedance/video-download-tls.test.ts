/**
 * The https path of `openVideo` over a real TLS server: a throwaway CA and a certificate for
 * `localhost`, made with openssl for this run. Proves that the guarded connector (DNS answers
 * filtered before connecting) still verifies the certificate and the host name.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeedanceNetworkError } from '../../src/seedance/errors';
import { openVideo } from '../../src/seedance/video-download';

const BODY = Buffer.from('ftyp-pretend-video-bytes');
let dir: string;
let ca: string;
let server: Server;
let port: number;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-tls-'));
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=seedance test CA',
  );
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'host.key', '-out', 'host.csr', '-subj', '/CN=localhost');
  await fs.writeFile(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'host.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'host.pem',
    '-days',
    '1',
    '-extfile',
    'ext.cnf',
  );
  ca = await fs.readFile(path.join(dir, 'ca.pem'), 'utf8');
  server = createServer(
    { key: await fs.readFile(path.join(dir, 'host.key')), cert: await fs.readFile(path.join(dir, 'host.pem')) },
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': BODY.length, etag: '"tls-1"' });
      res.end(BODY);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

async function read(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const onlyLoopback = { allowPrivate: true, isAllowedAddress: (ip: string) => ip === '127.0.0.1' };

describe('openVideo over https', () => {
  it('downloads from a host whose certificate chains to a trusted CA', async () => {
    const response = await openVideo(`https://localhost:${port}/v.mp4?sig=abc`, { ...onlyLoopback, ca });
    expect(response.status).toBe(200);
    expect(response.etag).toBe('"tls-1"');
    expect(await read(response.body)).toEqual(BODY);
  });

  it('refuses a certificate that no trusted CA signed', async () => {
    const error = await openVideo(`https://localhost:${port}/v.mp4?sig=abc`, onlyLoopback).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(SeedanceNetworkError); // retried, like any connection failure
    expect(String(error)).not.toContain('sig=abc');
  });

  it('refuses a certificate for another host name', async () => {
    const error = await openVideo(`https://127.0.0.1:${port}/v.mp4`, { ...onlyLoopback, ca }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
  });
});
