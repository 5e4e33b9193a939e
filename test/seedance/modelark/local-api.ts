/**
 * A real HTTP server on 127.0.0.1 standing in for the ModelArk API: each test sets `handler`, and
 * every request it received is in `seen`. No fetch stub: the clients go through undici and TCP.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface LocalApi {
  /** `http://127.0.0.1:<port>/api/v3`. */
  baseUrl: string;
  handler: Handler;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startLocalApi(): Promise<LocalApi> {
  const api: LocalApi = { baseUrl: '', handler: json(500, {}), seen: [], close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      api.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      api.handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
  api.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return api;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

/** ModelArk's error envelope. */
export function arkError(code: string, message: string, type = 'BadRequest'): { error: Record<string, string> } {
  return { error: { code, message, param: '', type } };
}

/** Answers by method and path (without the query string); anything else is a 404 envelope. */
export function routes(table: Record<string, Handler>): Handler {
  return (req, res, body) => {
    const key = `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`;
    const route = table[key];
    if (route) route(req, res, body);
    else json(404, arkError('NotFound', `no route ${key}`, 'NotFound'))(req, res, body);
  };
}

/** A task body as ModelArk's GET returns it. */
export function arkTask(id: string, status: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    model: 'seedance-1-5-pro-251215',
    status,
    error: null,
    created_at: 1_787_869_631,
    updated_at: 1_787_869_640,
    ...fields,
  };
}
