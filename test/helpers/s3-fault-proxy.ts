/**
 * An HTTP proxy in front of the test S3 server that makes chosen requests meet S3's faults as a
 * client meets them: S3's own `503 SlowDown` error document, a connection reset after K bytes of
 * the request body, or something done out of band (e.g. aborting the upload, as a lifecycle rule
 * would) just before the request goes on. Everything else passes through unchanged; the Host
 * header, which SigV4 signs, is forwarded as the client sent it.
 *
 * ```ts
 * const proxy = await startS3FaultProxy(server.endpoint);
 * const client = createS3Client({ ...server.clientConfig(), endpoint: proxy.endpoint });
 * proxy.inject('UploadPart', { kind: 'slowDown' }, { times: 2 });
 * ```
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type S3Operation =
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'ListMultipartUploads'
  | 'CopyObject'
  | 'HeadObject'
  | 'other';

/** What the proxy saw of a request: enough to name it. */
export interface S3Request {
  operation: S3Operation;
  /** Path-style: `/<bucket>/<key>`, decoded. */
  path: string;
  uploadId?: string;
  partNumber?: number;
}

export type S3Fault =
  /** The real S3 throttling answer: 503 with `<Code>SlowDown</Code>`. */
  | { kind: 'slowDown' }
  /** Forward the first `afterBodyBytes` of the body, then reset both connections (TCP RST). */
  | { kind: 'reset'; afterBodyBytes: number }
  /** Run `action` (out of band), then forward the request. */
  | { kind: 'before'; action: (request: S3Request) => Promise<void> };

export interface LoggedS3Request extends S3Request {
  /** The fault it met, if any. */
  fault?: S3Fault['kind'];
  /** The status the client got (undefined after a reset). */
  status?: number;
}

export interface InjectOptions {
  /** How many matching requests meet the fault. @default 1 */
  times?: number;
  /** How many matching requests pass untouched first. @default 0 */
  skip?: number;
}

export interface S3FaultProxy {
  /** `http://127.0.0.1:<port>`: the endpoint to give the S3 client. */
  readonly endpoint: string;
  /** Every request, in arrival order. */
  readonly log: LoggedS3Request[];
  /** The requests of `operation`, in arrival order. */
  requests(operation: S3Operation): LoggedS3Request[];
  inject(operation: S3Operation, fault: S3Fault, options?: InjectOptions): void;
  clearFaults(): void;
  close(): Promise<void>;
}

interface Armed {
  operation: S3Operation;
  fault: S3Fault;
  skip: number;
  left: number;
}

export async function startS3FaultProxy(upstreamEndpoint: string): Promise<S3FaultProxy> {
  const upstream = new URL(upstreamEndpoint);
  const armed: Armed[] = [];
  const log: LoggedS3Request[] = [];
  const sockets = new Set<Socket>();

  const faultFor = (operation: S3Operation): S3Fault | undefined => {
    const match = armed.find((a) => a.operation === operation && a.left > 0);
    if (!match) return undefined;
    if (match.skip > 0) {
      match.skip--;
      return undefined;
    }
    match.left--;
    return match.fault;
  };

  const server = createServer((req, res) => {
    const described = describe(req);
    const entry: LoggedS3Request = { ...described };
    log.push(entry);
    const fault = faultFor(described.operation);
    if (fault) entry.fault = fault.kind;
    void handle(req, res, entry, fault).catch(() => {
      req.socket.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, entry: LoggedS3Request, fault?: S3Fault) {
    if (fault?.kind === 'slowDown') {
      req.resume(); // the whole body first: the client is still sending it
      await once(req, 'end');
      entry.status = 503;
      res.writeHead(503, { 'content-type': 'application/xml', 'x-amz-request-id': requestId() });
      res.end(slowDownXml(entry.path));
      return;
    }
    if (fault?.kind === 'before') await fault.action(entry);
    const headers: IncomingHttpHeaders = { ...req.headers };
    delete headers.expect; // unsigned; the proxy has already answered 100-continue itself
    const forwarded = request({
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers,
    });
    forwarded.on('response', (answer) => {
      entry.status = answer.statusCode;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', () => req.socket.destroy());
    if (fault?.kind !== 'reset') {
      req.pipe(forwarded);
      return;
    }
    let sent = 0;
    req.on('data', (chunk: Buffer) => {
      const room = fault.afterBodyBytes - sent;
      if (room > 0) forwarded.write(chunk.subarray(0, room));
      sent += chunk.length;
      if (sent >= fault.afterBodyBytes) {
        forwarded.destroy();
        req.socket.resetAndDestroy();
      }
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    log,
    requests: (operation) => log.filter((entry) => entry.operation === operation),
    inject(operation, fault, options = {}) {
      armed.push({ operation, fault, skip: options.skip ?? 0, left: options.times ?? 1 });
    },
    clearFaults() {
      armed.length = 0;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function describe(req: IncomingMessage): S3Request {
  const url = new URL(req.url ?? '/', 'http://proxy');
  const query = url.searchParams;
  const uploadId = query.get('uploadId') ?? undefined;
  const partNumber = query.has('partNumber') ? Number(query.get('partNumber')) : undefined;
  const path = decodeURIComponent(url.pathname);
  const base = { path, ...(uploadId ? { uploadId } : {}), ...(partNumber ? { partNumber } : {}) };
  return { operation: operationOf(req.method ?? 'GET', query, req.headers), ...base };
}

function operationOf(method: string, query: URLSearchParams, headers: IncomingHttpHeaders): S3Operation {
  const upload = query.has('uploadId');
  if (method === 'POST' && query.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'PUT' && upload && query.has('partNumber')) return 'UploadPart';
  if (method === 'POST' && upload) return 'CompleteMultipartUpload';
  if (method === 'DELETE' && upload) return 'AbortMultipartUpload';
  if (method === 'GET' && upload) return 'ListParts';
  if (method === 'GET' && query.has('uploads')) return 'ListMultipartUploads';
  if (method === 'PUT' && headers['x-amz-copy-source']) return 'CopyObject';
  if (method === 'HEAD') return 'HeadObject';
  return 'other';
}

function requestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/** S3's error document for throttling, as AWS sends it. */
function slowDownXml(resource: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>` +
    `<Resource>${resource.replace(/[<>&]/g, '')}</Resource><RequestId>${requestId()}</RequestId>` +
    `<HostId>${randomBytes(24).toString('base64')}</HostId></Error>`
  );
}
