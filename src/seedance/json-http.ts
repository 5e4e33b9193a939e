/**
 * The JSON request plumbing the provider clients share: the key in the Authorization header only,
 * one timeout from connection to last body byte, a bounded body read, transport failures as typed
 * errors, and a 2xx body parsed as JSON. What a non-2xx answer means is each API's own business.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { SeedanceInvalidResponseError, SeedanceTimeoutError, type SeedanceError } from './errors';
import { DEFAULT_USER_AGENT } from './http-defaults';
import { errorFromTransport, type HttpAnswer } from './http-errors';

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Task JSON is small; anything bigger is a proxy's junk, not a task. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The options every JSON API client of this package takes. */
export interface HttpClientOptions {
  apiKey: string;
  baseUrl?: string;
  /** Per request, connection to last body byte. Default 30 s. */
  timeoutMs?: number;
  userAgent?: string;
  /** Defaults to an agent owned (and closed by `close()`) by this client. */
  dispatcher?: Dispatcher;
}

export interface RequestOptions {
  /** Aborting rejects with the signal's reason, not with a Seedance error. */
  signal?: AbortSignal;
}

/** How a client's own messages name its API (the shared transport words its failures with it). */
export interface ApiNaming {
  /** Names the class in option errors, e.g. `SeedanceClient: apiKey must be ...`. */
  client: string;
  /** The API, or the API about one task: `Seedance`, `Seedance (task <id>)`. */
  subject(taskId: string | undefined): string;
  /** The peer in transport-failure words, e.g. `the Seedance API`. */
  target: string;
}

/** One request of {@link JsonHttp.exchange}. */
export interface JsonExchange {
  method: 'GET' | 'POST' | 'DELETE';
  /** Below the base URL: the path (ids in it already validated) and any query string. */
  path: string;
  /** Sent as the JSON body when defined. */
  json?: unknown;
  /** The task concerned, already validated by `taskIdSchema`: named in messages. */
  taskId?: string;
  /** An empty 2xx body is an answer (`undefined`) instead of an invalid response. */
  emptyBodyOk?: boolean;
  /** The typed error of a non-2xx answer; `secrets` must reach any sanitizing of remote text. */
  errorFromAnswer(answer: HttpAnswer, sanitizing: { secrets: readonly string[]; nowMs: number }): SeedanceError;
}

/**
 * The request plumbing the provider clients share: the key in the Authorization header only,
 * one timeout from connection to last body byte, a bounded body read, transport failures as typed
 * errors, and a 2xx body parsed as JSON. What a non-2xx answer means is each API's own business
 * (`errorFromAnswer`).
 */
export class JsonHttp {
  readonly baseUrl: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #naming: ApiNaming;

  constructor(options: HttpClientOptions & { baseUrl: string }, naming: ApiNaming) {
    this.#naming = naming;
    // Printable ASCII without spaces: anything else would break (or inject into) the header.
    if (typeof options.apiKey !== 'string' || !/^[\x21-\x7e]+$/.test(options.apiKey)) {
      throw new TypeError(`${naming.client}: apiKey must be a non-empty token of printable ASCII characters`);
    }
    this.baseUrl = normalizeBaseUrl(options.baseUrl, naming.client);
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(this.#timeoutMs) || this.#timeoutMs <= 0) {
      throw new TypeError(`${naming.client}: timeoutMs must be a positive number`);
    }
    this.#userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = options.dispatcher ?? new Agent({ connect: { timeout: Math.min(10_000, this.#timeoutMs) } });
  }

  /** Sends one request; resolves to the parsed JSON of a 2xx answer, rejects with a typed error otherwise. */
  async exchange(exchange: JsonExchange, options: RequestOptions = {}): Promise<unknown> {
    const { method, path, json, taskId } = exchange;
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#apiKey}`,
      accept: 'application/json',
      'user-agent': this.#userAgent,
    };
    if (json !== undefined) headers['content-type'] = 'application/json';

    let text: string;
    let status: number;
    let responseHeaders: Dispatcher.ResponseData['headers'];
    try {
      const response = await request(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: json === undefined ? undefined : JSON.stringify(json),
        signal,
        dispatcher: this.#dispatcher,
      });
      status = response.statusCode;
      responseHeaders = response.headers;
      text = await readBounded(response.body, MAX_BODY_BYTES);
    } catch (error) {
      throw this.#transportFailure(error, timeout, options.signal, taskId);
    }

    if (status < 200 || status > 299) {
      throw exchange.errorFromAnswer(
        { status, headers: responseHeaders, body: text },
        { secrets: [this.#apiKey], nowMs: Date.now() },
      );
    }
    if (exchange.emptyBodyOk && text.trim() === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      const what = `${this.#naming.subject(taskId)} answered HTTP ${status} with a body that is not JSON`;
      throw new SeedanceInvalidResponseError(what, { status });
    }
  }

  /** Closes the connection pool this transport created; a dispatcher passed in stays open. */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  #transportFailure(error: unknown, timeout: AbortSignal, caller: AbortSignal | undefined, taskId?: string): unknown {
    if (caller?.aborted) return caller.reason;
    const subject = this.#naming.subject(taskId);
    if (error instanceof BodyTooLarge) {
      return new SeedanceInvalidResponseError(`${subject} answered with a body larger than ${MAX_BODY_BYTES} bytes`);
    }
    if (timeout.aborted) {
      return new SeedanceTimeoutError(
        `${subject} did not answer within ${this.#timeoutMs} ms; the request may have been processed`,
      );
    }
    const target = this.#naming.target;
    return errorFromTransport(error, taskId === undefined ? target : `${target} (task ${taskId})`);
  }
}

function normalizeBaseUrl(baseUrl: string, client: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`${client}: baseUrl must be an absolute http(s) URL`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username !== '' || url.password !== '' || url.search !== '') {
    throw new TypeError(`${client}: baseUrl must be an http(s) URL without credentials or query string`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

class BodyTooLarge extends Error {}

async function readBounded(body: AsyncIterable<unknown> & { destroy(): unknown }, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > maxBytes) {
      body.destroy();
      throw new BodyTooLarge();
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
