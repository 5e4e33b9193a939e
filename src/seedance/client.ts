/**
 * HTTP client of the Seedance 1.5 task API (create and query). No Temporal imports: activities
 * wrap it. The API key lives in a private field and is sent only in the Authorization header.
 */
import { Agent, request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { SeedanceInvalidRequestError, SeedanceInvalidResponseError, SeedanceTimeoutError } from './errors';
import { DEFAULT_USER_AGENT } from './http-defaults';
import {
  errorFromResponse,
  errorFromTransport,
  sanitizeText,
  seedanceSubject,
  type AnswerContext,
} from './http-errors';
import {
  createVideoRequestSchema,
  taskIdSchema,
  taskSchema,
  type ResellerCreateRequest,
  type SeedanceTask,
} from './schemas';

export const DEFAULT_BASE_URL = 'https://zcbservice.aizfw.cn/kyyReactApiServer';
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Task JSON is small; anything bigger is a proxy's junk, not a task. */
const MAX_BODY_BYTES = 1024 * 1024;
const API_TARGET = 'the Seedance API';

export interface SeedanceClientOptions {
  apiKey: string;
  /** Default `https://zcbservice.aizfw.cn/kyyReactApiServer`. */
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

/**
 * @example
 * const client = new SeedanceClient({ apiKey: config.apiKey });
 * const task = await client.createTask({ model: 'seedance_1_5_pro_720p', content: [{ type: 'text', text: 'a cat' }] });
 * const latest = await client.getTask(task.id);
 */
export class SeedanceClient {
  readonly baseUrl: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;

  constructor(options: SeedanceClientOptions) {
    // Printable ASCII without spaces: anything else would break (or inject into) the header.
    if (typeof options.apiKey !== 'string' || !/^[\x21-\x7e]+$/.test(options.apiKey)) {
      throw new TypeError('SeedanceClient: apiKey must be a non-empty token of printable ASCII characters');
    }
    this.baseUrl = normalizeBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(this.#timeoutMs) || this.#timeoutMs <= 0) {
      throw new TypeError('SeedanceClient: timeoutMs must be a positive number');
    }
    this.#userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = options.dispatcher ?? new Agent({ connect: { timeout: Math.min(10_000, this.#timeoutMs) } });
  }

  /**
   * `POST /v1/seedance/videos`. The request is validated first; an invalid one throws
   * `SeedanceInvalidRequestError` without any network traffic. There is no idempotency key: a
   * `SeedanceNetworkError` with `sent: true` or a `SeedanceTimeoutError` means a task may exist.
   */
  async createTask(input: ResellerCreateRequest, options: RequestOptions = {}): Promise<SeedanceTask> {
    const parsed = createVideoRequestSchema.safeParse(input);
    if (!parsed.success) {
      throw new SeedanceInvalidRequestError(`The create request is invalid: ${describeIssues(parsed.error.issues)}`);
    }
    const body = await this.#send('POST', '/v1/seedance/videos', parsed.data, { operation: 'create' }, options);
    return parseTask(body, 'create');
  }

  /** `GET /v1/result/{taskId}`. The id is validated before any request and must match the answer's. */
  async getTask(taskId: string, options: RequestOptions = {}): Promise<SeedanceTask> {
    const id = taskIdSchema.safeParse(taskId);
    if (!id.success) {
      throw new SeedanceInvalidRequestError(
        'The task id is not a valid Seedance task id: expected 1-128 letters, digits, "_" or "-"',
      );
    }
    const path = `/v1/result/${encodeURIComponent(id.data)}`;
    const body = await this.#send('GET', path, undefined, { operation: 'get', taskId: id.data }, options);
    const task = parseTask(body, 'get', id.data);
    if (task.id !== id.data) {
      throw new SeedanceInvalidResponseError(`Seedance answered a query for task ${id.data} with another task`);
    }
    return task;
  }

  /** Closes the connection pool this client created; a dispatcher passed in stays open. */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  async #send(
    method: 'GET' | 'POST',
    path: string,
    json: unknown,
    context: Omit<AnswerContext, 'nowMs' | 'secrets'>,
    options: RequestOptions,
  ): Promise<unknown> {
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
      throw this.#transportFailure(error, timeout, options.signal, context.taskId);
    }

    if (status < 200 || status > 299) {
      throw errorFromResponse(
        { status, headers: responseHeaders, body: text },
        { ...context, secrets: [this.#apiKey], nowMs: Date.now() },
      );
    }
    try {
      return JSON.parse(text);
    } catch {
      const what = `${seedanceSubject(context.taskId)} answered HTTP ${status} with a body that is not JSON`;
      throw new SeedanceInvalidResponseError(what, { status });
    }
  }

  #transportFailure(error: unknown, timeout: AbortSignal, caller: AbortSignal | undefined, taskId?: string): unknown {
    if (caller?.aborted) return caller.reason;
    if (error instanceof BodyTooLarge) {
      const what = `${seedanceSubject(taskId)} answered with a body larger than ${MAX_BODY_BYTES} bytes`;
      return new SeedanceInvalidResponseError(what);
    }
    if (timeout.aborted) {
      return new SeedanceTimeoutError(
        `${seedanceSubject(taskId)} did not answer within ${this.#timeoutMs} ms; the request may have been processed`,
      );
    }
    return errorFromTransport(error, taskId === undefined ? API_TARGET : `${API_TARGET} (task ${taskId})`);
  }
}

function normalizeBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError('SeedanceClient: baseUrl must be an absolute http(s) URL');
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username !== '' || url.password !== '' || url.search !== '') {
    throw new TypeError('SeedanceClient: baseUrl must be an http(s) URL without credentials or query string');
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

/** zod issues in plain words, e.g. `content: content needs at least one text item; duration: ...`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const words = issues.slice(0, 8).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  if (issues.length > 8) words.push(`and ${issues.length - 8} more`);
  return sanitizeText(words.join('; '), { maxLength: 600 });
}

function parseTask(body: unknown, operation: 'create' | 'get', taskId?: string): SeedanceTask {
  const parsed = taskSchema.safeParse(body);
  if (!parsed.success) {
    const action = operation === 'create' ? 'the create request' : 'the query';
    const issues = describeIssues(parsed.error.issues);
    const what = `${seedanceSubject(taskId)} answered ${action} with a body that is not a task (${issues})`;
    throw new SeedanceInvalidResponseError(what);
  }
  return parsed.data;
}
