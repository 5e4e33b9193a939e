/**
 * HTTP client of the reseller's Seedance 1.5 task API (create and query), on the JSON request
 * plumbing it shares with the ModelArk client (`./json-http`). No Temporal imports: activities
 * wrap it. The API key lives in the transport and is sent only in the Authorization header.
 */
import type { z } from 'zod';
import { SeedanceInvalidRequestError, SeedanceInvalidResponseError } from './errors';
import { errorFromResponse, sanitizeText, seedanceSubject } from './http-errors';
import { JsonHttp, type ApiNaming, type HttpClientOptions, type RequestOptions } from './json-http';
import {
  createVideoRequestSchema,
  taskIdSchema,
  taskSchema,
  type ResellerCreateRequest,
  type SeedanceTask,
} from './schemas';

export { DEFAULT_TIMEOUT_MS, type HttpClientOptions, type RequestOptions } from './json-http';

export const DEFAULT_BASE_URL = 'https://zcbservice.aizfw.cn/kyyReactApiServer';
const API_TARGET = 'the Seedance API';

export interface SeedanceClientOptions extends HttpClientOptions {
  /** Default `https://zcbservice.aizfw.cn/kyyReactApiServer`. */
  baseUrl?: string;
}

const RESELLER_NAMING: ApiNaming = { client: 'SeedanceClient', subject: seedanceSubject, target: API_TARGET };

/**
 * @example
 * const client = new SeedanceClient({ apiKey: config.apiKey });
 * const task = await client.createTask({ model: 'seedance_1_5_pro_720p', content: [{ type: 'text', text: 'a cat' }] });
 * const latest = await client.getTask(task.id);
 */
export class SeedanceClient {
  readonly baseUrl: string;
  readonly #http: JsonHttp;

  constructor(options: SeedanceClientOptions) {
    this.#http = new JsonHttp({ ...options, baseUrl: options.baseUrl ?? DEFAULT_BASE_URL }, RESELLER_NAMING);
    this.baseUrl = this.#http.baseUrl;
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
    const body = await this.#http.exchange(
      {
        method: 'POST',
        path: '/v1/seedance/videos',
        json: parsed.data,
        errorFromAnswer: (answer, sanitizing) => errorFromResponse(answer, { operation: 'create', ...sanitizing }),
      },
      options,
    );
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
    const body = await this.#http.exchange(
      {
        method: 'GET',
        path: `/v1/result/${encodeURIComponent(id.data)}`,
        taskId: id.data,
        errorFromAnswer: (answer, sanitizing) =>
          errorFromResponse(answer, { operation: 'get', taskId: id.data, ...sanitizing }),
      },
      options,
    );
    const task = parseTask(body, 'get', id.data);
    if (task.id !== id.data) {
      throw new SeedanceInvalidResponseError(`Seedance answered a query for task ${id.data} with another task`);
    }
    return task;
  }

  /** Closes the connection pool this client created; a dispatcher passed in stays open. */
  async close(): Promise<void> {
    await this.#http.close();
  }
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
