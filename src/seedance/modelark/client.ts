/**
 * HTTP client of the BytePlus ModelArk / Volcengine Ark video task API
 * (`{base}/contents/generations/tasks`, shared/modelark-api.md): create, get, list, delete, in the
 * API's own words. No Temporal imports; `ModelArkProvider` adapts it to the provider port.
 */
import { z } from 'zod';
import { describeIssues } from '../client';
import { JsonHttp, type HttpClientOptions, type RequestOptions } from '../json-http';
import { SeedanceInvalidRequestError, SeedanceInvalidResponseError } from '../errors';
import type { HttpAnswer } from '../http-errors';
import { taskIdSchema } from '../schemas';
import { errorFromModelArkAnswer, modelArkSubject, type ModelArkOperation } from './errors';
import {
  createRequestSchema,
  createResponseSchema,
  listResponseSchema,
  MODELARK_TASK_STATUSES,
  modelIdSchema,
  SERVICE_TIERS,
  taskSchema,
  type ModelArkCreateRequest,
  type ModelArkTask,
  type ModelArkTaskList,
} from './schemas';

/** BytePlus ModelArk, region ap-southeast-1. */
export const MODELARK_BASE_URL = 'https://ark.ap-southeast.bytepluses.com/api/v3';
/** Volcengine Ark, region cn-beijing (model ids carry a `doubao-` prefix there). */
export const VOLCENGINE_BASE_URL = 'https://ark.cn-beijing.volces.com/api/v3';

const TASKS_PATH = '/contents/generations/tasks';

export interface ModelArkClientOptions extends HttpClientOptions {
  /** An ARK API key (the video task endpoints take no AK/SK signing). */
  apiKey: string;
  /** Default {@link MODELARK_BASE_URL}; {@link VOLCENGINE_BASE_URL} for Volcengine. Keys and tasks are per region. */
  baseUrl?: string;
}

/** The filters and page of `GET /contents/generations/tasks`. The API lists only the last 7 days. */
export interface ListTasksOptions extends RequestOptions {
  /** 1-500. */
  pageNum?: number;
  /** 1-500. */
  pageSize?: number;
  status?: (typeof MODELARK_TASK_STATUSES)[number];
  taskIds?: readonly string[];
  /** The model or endpoint id given at create (not the `model` a task reports). */
  model?: string;
  /** The documented default filter is `default`: flex tasks are listed only when asked for. */
  serviceTier?: (typeof SERVICE_TIERS)[number];
}

const listQuerySchema = z.object({
  pageNum: z.number().int().min(1).max(500).optional(),
  pageSize: z.number().int().min(1).max(500).optional(),
  status: z.enum(MODELARK_TASK_STATUSES).optional(),
  taskIds: z.array(taskIdSchema).max(500).optional(),
  model: modelIdSchema.optional(),
  serviceTier: z.enum(SERVICE_TIERS).optional(),
});

const NAMING = { client: 'ModelArkClient', subject: modelArkSubject, target: 'the ModelArk API' };

/**
 * @example
 * const ark = new ModelArkClient({ apiKey: process.env.ARK_API_KEY! });
 * const { id } = await ark.createTask({
 *   model: 'seedance-1-5-pro-251215',
 *   content: [{ type: 'text', text: 'a red fox in snow' }],
 *   resolution: '1080p',
 *   generate_audio: true,
 * });
 * const task = await ark.getTask(id);
 */
export class ModelArkClient {
  readonly baseUrl: string;
  readonly #http: JsonHttp;

  constructor(options: ModelArkClientOptions) {
    this.#http = new JsonHttp({ ...options, baseUrl: options.baseUrl ?? MODELARK_BASE_URL }, NAMING);
    this.baseUrl = this.#http.baseUrl;
  }

  /**
   * `POST /contents/generations/tasks`. The request is validated first (fields and the documented
   * rules between them); an invalid one throws `SeedanceInvalidRequestError` without any network
   * traffic. `null` options are accepted and left out of the body. Not idempotent: a
   * `SeedanceNetworkError` with `sent: true` or a `SeedanceTimeoutError` means a task may exist.
   */
  async createTask(request: ModelArkCreateRequest, options: RequestOptions = {}): Promise<{ id: string }> {
    const parsed = createRequestSchema.safeParse(request);
    if (!parsed.success) {
      throw new SeedanceInvalidRequestError(
        `The create request is invalid for ModelArk: ${describeIssues(parsed.error.issues)}`,
      );
    }
    const body = await this.#http.exchange(
      { method: 'POST', path: TASKS_PATH, json: parsed.data, errorFromAnswer: answerError('create') },
      options,
    );
    const created = createResponseSchema.safeParse(body);
    if (!created.success) {
      throw new SeedanceInvalidResponseError(
        `ModelArk answered the create request with a body that has no task id (${describeIssues(created.error.issues)})`,
      );
    }
    return { id: created.data.id };
  }

  /** `GET /contents/generations/tasks/{id}`. The answer must be about the task asked for. */
  async getTask(taskId: string, options: RequestOptions = {}): Promise<ModelArkTask> {
    const id = validTaskId(taskId);
    const body = await this.#http.exchange(
      { method: 'GET', path: taskPath(id), taskId: id, errorFromAnswer: answerError('get', id) },
      options,
    );
    const task = parseAnswer(
      taskSchema,
      body,
      `${modelArkSubject(id)} answered the query with a body that is not a task`,
    );
    if (task.id !== id) {
      throw new SeedanceInvalidResponseError(`ModelArk answered a query for task ${id} with another task`);
    }
    return task;
  }

  /** `GET /contents/generations/tasks?page_num&page_size&filter.*`: the tasks of the last 7 days. */
  async listTasks(query: ListTasksOptions = {}): Promise<ModelArkTaskList> {
    const { signal, ...filters } = query;
    const parsed = listQuerySchema.safeParse(filters);
    if (!parsed.success) {
      throw new SeedanceInvalidRequestError(`The list query is invalid: ${describeIssues(parsed.error.issues)}`);
    }
    const search = listSearchParams(parsed.data).toString();
    const body = await this.#http.exchange(
      {
        method: 'GET',
        path: search === '' ? TASKS_PATH : `${TASKS_PATH}?${search}`,
        errorFromAnswer: answerError('list'),
      },
      signal === undefined ? {} : { signal },
    );
    return parseAnswer(
      listResponseSchema,
      body,
      'ModelArk answered the list query with a body that is not a task list',
    );
  }

  /**
   * `DELETE /contents/generations/tasks/{id}`. Cancels a `queued` task, but DELETES the record
   * of a `succeeded`, `failed` or `expired` one (its video URL with it); `running` and `cancelled`
   * are refused. Callers who only mean "cancel" use `ModelArkProvider.cancelTask`, which checks
   * the status first.
   */
  async deleteTask(taskId: string, options: RequestOptions = {}): Promise<void> {
    const id = validTaskId(taskId);
    await this.#http.exchange(
      {
        method: 'DELETE',
        path: taskPath(id),
        taskId: id,
        emptyBodyOk: true,
        errorFromAnswer: answerError('delete', id),
      },
      options,
    );
  }

  /** Closes the connection pool this client created; a dispatcher passed in stays open. */
  async close(): Promise<void> {
    await this.#http.close();
  }
}

function answerError(operation: ModelArkOperation, taskId?: string) {
  return (answer: HttpAnswer, sanitizing: { secrets: readonly string[]; nowMs: number }) =>
    errorFromModelArkAnswer(answer, { operation, ...(taskId === undefined ? {} : { taskId }), ...sanitizing });
}

function validTaskId(taskId: string): string {
  const id = taskIdSchema.safeParse(taskId);
  if (!id.success) {
    throw new SeedanceInvalidRequestError(
      'The task id is not a valid ModelArk task id: expected 1-128 letters, digits, "_" or "-" (e.g. cgt-20251009163014-wfnnx)',
    );
  }
  return id.data;
}

function taskPath(id: string): string {
  return `${TASKS_PATH}/${encodeURIComponent(id)}`;
}

/** `filter.task_ids` is repeated once per id, as the API and the official SDK expect. */
export function listSearchParams(query: z.infer<typeof listQuerySchema>): URLSearchParams {
  const params = new URLSearchParams();
  if (query.pageNum !== undefined) params.set('page_num', String(query.pageNum));
  if (query.pageSize !== undefined) params.set('page_size', String(query.pageSize));
  if (query.status !== undefined) params.set('filter.status', query.status);
  for (const id of query.taskIds ?? []) params.append('filter.task_ids', id);
  if (query.model !== undefined) params.set('filter.model', query.model);
  if (query.serviceTier !== undefined) params.set('filter.service_tier', query.serviceTier);
  return params;
}

/** A 2xx body that does not fit is an invalid response; its text (it may hold signed URLs) stays out of the message. */
function parseAnswer<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new SeedanceInvalidResponseError(`${what} (${describeIssues(parsed.error.issues)})`);
  return parsed.data;
}
