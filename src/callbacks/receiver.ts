/**
 * The HTTP side of the callback receiver on node:http: only `POST <path>` with a JSON body of at
 * most 64 KiB, read within a deadline; everything else is refused before any Temporal call. The
 * answers never say whether a workflow exists (200 either way), and never echo the request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCallbackRelay, type CallbackRelay, type CallbackRelayOptions, type CallbackStats } from './relay';

export const DEFAULT_CALLBACK_PATH = '/seedance/callback';
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;
/** How long `close()` lets requests in flight finish before cutting their connections. */
const CLOSE_GRACE_MS = 5_000;

export interface CallbackReceiverOptions extends CallbackRelayOptions {
  /** Interface to listen on, e.g. `127.0.0.1` or `0.0.0.0`. */
  host: string;
  /** Port to listen on; 0 picks a free one (see `url`). */
  port: number;
  /** The only path served (default {@link DEFAULT_CALLBACK_PATH}); the callback URL a create sends must point here. */
  path?: string;
  /** Larger bodies are refused with 413 (default 64 KiB; a task object is about 1 KiB). */
  maxBodyBytes?: number;
  /** The whole body must arrive within this long after the headers, else 408 (default 10 s). */
  bodyTimeoutMs?: number;
}

export interface CallbackReceiver {
  /** `http://<host>:<port><path>`: the listening address, not necessarily the public one. */
  readonly url: string;
  /** Counters since start (live). */
  readonly stats: Readonly<CallbackStats>;
  /** Stops accepting, lets requests in flight finish (at most a few seconds), then closes every connection. */
  close(): Promise<void>;
}

/**
 * Starts the receiver. Each `succeeded`/`failed`/`expired`/`cancelled` callback becomes at most
 * one `checkNow` signal per workflow and status within the dedupe window.
 *
 * @example
 * const receiver = await startCallbackReceiver({
 *   host: '127.0.0.1', port: 8088, secret, signaler: createTemporalSignaler({ client }),
 * });
 * // creates send signedCallbackUrl('https://hooks.example.com/seedance/callback', workflowId, secret)
 * await receiver.close();
 */
export async function startCallbackReceiver(options: CallbackReceiverOptions): Promise<CallbackReceiver> {
  const path = options.path ?? DEFAULT_CALLBACK_PATH;
  if (!path.startsWith('/')) throw new RangeError('the callback path must start with "/"');
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const relay = createCallbackRelay(options);
  const logger = options.logger;

  const server = createServer(
    {
      // Node's own limits as a backstop to ours (slow headers, idle sockets), checked every second.
      headersTimeout: 10_000,
      requestTimeout: bodyTimeoutMs + 10_000,
      connectionsCheckingInterval: 1_000,
      keepAliveTimeout: 5_000,
    },
    (req, res) => {
      serve(req, res, { path, maxBodyBytes, bodyTimeoutMs, relay }).catch((error: unknown) => {
        (logger ?? console).warn('callback receiver: request failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        if (!res.headersSent) reply(res, 500, 'internal error', true);
        else res.destroy();
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}${path}`,
    stats: relay.stats,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

interface ServeContext {
  path: string;
  maxBodyBytes: number;
  bodyTimeoutMs: number;
  relay: CallbackRelay;
}

async function serve(req: IncomingMessage, res: ServerResponse, ctx: ServeContext): Promise<void> {
  const { relay } = ctx;
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://receiver.invalid');
  } catch {
    relay.refused(400, 'unreadable request target');
    return reply(res, 400, 'bad request target', true);
  }
  if (url.pathname !== ctx.path) {
    relay.refused(404, 'unknown path');
    return reply(res, 404, 'not found', true);
  }
  if (req.method !== 'POST') {
    relay.refused(405, `method ${req.method ?? ''}`);
    res.setHeader('Allow', 'POST');
    return reply(res, 405, 'method not allowed', true);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > ctx.maxBodyBytes) {
    relay.refused(413, 'declared body too large');
    return reply(res, 413, 'body too large', true);
  }
  const body = await readBody(req, ctx.maxBodyBytes, ctx.bodyTimeoutMs);
  if (body === 'too-large') {
    relay.refused(413, 'body too large');
    return reply(res, 413, 'body too large', true);
  }
  if (body === 'timeout') {
    relay.refused(408, 'body not received in time');
    return reply(res, 408, 'body not received in time', true);
  }
  if (body === 'aborted') {
    relay.refused(400, 'request aborted');
    return void res.destroy();
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    relay.refused(400, 'body is not JSON');
    return reply(res, 400, 'the body is not JSON', false);
  }
  const result = await relay.relay({ query: url.searchParams, body: json });
  const text = result.httpStatus === 200 ? 'ok' : result.httpStatus === 503 ? 'try again later' : result.problem!;
  reply(res, result.httpStatus, text, false);
}

/**
 * The request body, or why there is none. Stops reading as soon as it is too large or too late,
 * so a flood of large or slow bodies costs at most `maxBytes` of memory per request.
 */
function readBody(
  req: IncomingMessage,
  maxBytes: number,
  timeoutMs: number,
): Promise<Buffer | 'too-large' | 'timeout' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Buffer | 'too-large' | 'timeout' | 'aborted') => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onClose);
      if (typeof result === 'string') req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return finish('too-large');
      chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks, size));
    const onAbort = () => finish('aborted');
    const onClose = () => {
      if (!req.complete) finish('aborted');
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    req.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onClose);
  });
}

/** Answers with a short text. `close`: the request body may be unread, so the connection cannot be reused. */
function reply(res: ServerResponse, status: number, text: string, close: boolean): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    ...(close ? { Connection: 'close' } : {}),
  });
  res.end(`${text}\n`);
}
