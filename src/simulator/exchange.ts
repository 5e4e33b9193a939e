/**
 * One request/response pair and its log entry: counts the body bytes handed to the socket, and
 * gives the body writers waits that end early when the connection closes.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ResellerCreateRequest } from '../seedance/schemas';
import type { FaultKind } from './faults';
import type { ModelArkCreateRequest } from './modelark/create-request';

/** `list`, `delete` and `lastFrame` (the last-frame PNG) exist in the ModelArk mode only. */
export type RequestKind = 'create' | 'status' | 'list' | 'delete' | 'video' | 'lastFrame' | 'other';
export type AuthorizationState = 'ok' | 'missing' | 'wrong';

export interface RequestLogEntry {
  /** Clock ms when the request arrived (NaN for the instant before the clock answered). */
  at: number;
  method: string;
  /** The path only: the query string holds the URL signature. */
  path: string;
  kind: RequestKind;
  taskId?: string;
  /** HTTP status sent; 0 while none was (hang, dropResponse, in flight). */
  status: number;
  range?: string;
  ifRange?: string;
  /** Whether a Bearer key was sent and right; file requests should always be `missing`. */
  authorization: AuthorizationState;
  /** Body bytes handed to the socket so far (updated live while a body streams). */
  bytesServed: number;
  /** The injected fault this request took, if any. */
  fault?: FaultKind;
  /** A create's body as accepted, so a test can count creates per request (the API has no idempotency key). */
  createRequest?: ResellerCreateRequest;
  /** ModelArk mode: a create's body as accepted (nulls kept), e.g. to read the `callback_url` sent. */
  modelarkCreateRequest?: ModelArkCreateRequest;
  /** ModelArk mode: the `X-Request-Id` answered (also at the end of error messages). */
  requestId?: string;
  /** Whether the whole response was sent (false when a fault or the client cut it short). */
  complete: boolean;
}

export class Exchange {
  closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly entry: RequestLogEntry,
    onEnd: (entry: RequestLogEntry) => void,
  ) {
    res.once('close', () => {
      this.closed = true;
      entry.complete = res.writableFinished && entry.status !== 0;
      for (const wake of [...this.waiters]) wake();
      onEnd(entry);
    });
  }

  get isHead(): boolean {
    return this.req.method === 'HEAD';
  }

  /** Sends the status line and headers at once (so a stall still shows headers). */
  head(status: number, headers: OutgoingHttpHeaders): void {
    this.entry.status = status;
    this.res.writeHead(status, headers);
    this.res.flushHeaders();
  }

  /** A complete response with a small body. */
  send(status: number, headers: OutgoingHttpHeaders, body: string | Buffer = ''): void {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    this.entry.status = status;
    this.res.writeHead(status, { ...headers, 'Content-Length': bytes.length });
    if (this.isHead) {
      this.res.end();
      return;
    }
    this.entry.bytesServed += bytes.length;
    this.res.end(bytes);
  }

  /** Writes a body chunk; resolves once Node handed it to the kernel, or the connection closed. */
  write(chunk: Buffer): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.entry.bytesServed += chunk.length;
    return this.until((done) => {
      this.res.write(chunk, () => done());
    });
  }

  wait(ms: number): Promise<void> {
    return this.until((done) => {
      const timer = setTimeout(done, ms);
      return () => clearTimeout(timer);
    });
  }

  untilClosed(): Promise<void> {
    return this.until(() => undefined);
  }

  private until(start: (done: () => void) => (() => void) | void): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      let cleanup: (() => void) | void = undefined;
      const done = (): void => {
        this.waiters.delete(done);
        cleanup?.();
        resolve();
      };
      this.waiters.add(done);
      cleanup = start(done);
    });
  }
}
