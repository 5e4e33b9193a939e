/** Shared pieces of the ModelArk simulator tests: a client over plain fetch, a callback receiver, waiting. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSimulator, type ModelArkSimulator, type ModelArkSimulatorOptions } from '../../src/simulator';

export const KEY = 'ark-test-key';
export const AUTH = { Authorization: `Bearer ${KEY}` };
/** 2026-01-01 04:05:06 UTC, i.e. 12:05:06 in UTC+8. */
export const START = Date.UTC(2026, 0, 1, 4, 5, 6);
export const SECOND = 1000;
export const HOUR = 60 * 60 * SECOND;
export const DAY = 24 * HOUR;
export const MODEL = 'seedance-1-5-pro-251215';
export const PROMPT = { model: MODEL, content: [{ type: 'text', text: 'a cat on a skateboard' }] };

export type Json = Record<string, unknown>;

/** A ModelArk simulator on an async clock that reads `clock.now` (like the time-skipping server's). */
export async function startModelArk(
  clock: { now: number },
  options: Partial<Omit<ModelArkSimulatorOptions, 'provider'>> = {},
): Promise<ModelArkSimulator> {
  return createSimulator({ provider: 'modelark', apiKey: KEY, clock: async () => clock.now, ...options });
}

export class ArkClient {
  constructor(private readonly sim: ModelArkSimulator) {}

  private get tasks(): string {
    return `${this.sim.baseUrl}/contents/generations/tasks`;
  }

  create(body: unknown = PROMPT, headers: Record<string, string> = AUTH): Promise<Response> {
    return fetch(this.tasks, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** Creates and returns the new task id (expects a 200). */
  async createId(body: unknown = PROMPT): Promise<string> {
    const res = await this.create(body);
    if (res.status !== 200) throw new Error(`create answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  }

  get(id: string, headers: Record<string, string> = AUTH): Promise<Response> {
    return fetch(`${this.tasks}/${id}`, { headers });
  }

  async task(id: string): Promise<Json> {
    const res = await this.get(id);
    if (res.status !== 200) throw new Error(`get answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Json;
  }

  list(query = '', headers: Record<string, string> = AUTH): Promise<Response> {
    return fetch(`${this.tasks}${query === '' ? '' : `?${query}`}`, { headers });
  }

  async listed(query = ''): Promise<{ items: Json[]; total: number }> {
    const res = await this.list(query);
    if (res.status !== 200) throw new Error(`list answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { items: Json[]; total: number };
  }

  delete(id: string, headers: Record<string, string> = AUTH): Promise<Response> {
    return fetch(`${this.tasks}/${id}`, { method: 'DELETE', headers });
  }
}

/** The envelope every ModelArk error has, with the request id at the end of its message. */
export async function arkError(res: Response): Promise<{ code: string; message: string; param: string; type: string }> {
  const body = (await res.json()) as { error: { code: string; message: string; param: string; type: string } };
  const requestId = res.headers.get('x-request-id');
  if (!requestId || !body.error.message.endsWith(`Request id: ${requestId}`)) {
    throw new Error(`error message without its request id ${requestId}: ${body.error.message}`);
  }
  return body.error;
}

export interface ReceivedCallback {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: Json;
}

/**
 * A local callback receiver. `answer` decides per call: an HTTP status, or `hang` (no answer until
 * the caller gives up or the receiver closes).
 */
export class CallbackReceiver {
  readonly received: ReceivedCallback[] = [];
  answer: (call: ReceivedCallback, index: number) => number | 'hang' = () => 200;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const call = { at: Date.now(), headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) as Json };
      this.received.push(call);
      const answer = this.answer(call, this.received.length - 1);
      if (answer !== 'hang') res.writeHead(answer).end();
    });
  });

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/seedance`;
  }

  statuses(): unknown[] {
    return this.received.map((c) => c.body.status);
  }

  start(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls `condition` every 10 ms until it holds or `timeoutMs` passed (then throws). */
export async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  complete: boolean;
  error?: string;
}

/** A plain node:http GET that reports what arrived even when the connection breaks. */
export function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let responded = false;
    const req = http.request(url, { headers, agent: false }, (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      let error: string | undefined;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          complete: res.complete,
          ...(error ? { error } : {}),
        }),
      );
    });
    req.on('error', (e) => (responded ? undefined : reject(e))); // after the headers, `res` reports it
    req.end();
  });
}
