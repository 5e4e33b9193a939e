/**
 * The ModelArk API mode (shared/modelark-api.md): create, get, list and delete tasks under
 * `/api/v3/contents/generations/tasks`, and the callbacks of their status changes. The shared
 * server (../simulator.ts) does HTTP, faults, the clock, the file host and the state file.
 */
import { taskIdSchema } from '../../seedance/schemas';
import type { Exchange } from '../exchange';
import type { ApiMode, ApiRequest, FileKind, ModeContext } from '../mode';
import { resolveTiming, type TaskTiming } from '../profiles';
import type { GatewayErrorFault } from '../responses';
import type { Route } from '../routes';
import { CHOSEN_DURATION_S, DEFAULT_DURATION_S } from '../tasks';
import { CallbackSender } from './callbacks';
import { readModelArkCreateRequest } from './create-request';
import {
  AUTHENTICATION_ERROR,
  INTERNAL_ERROR,
  sendArkError,
  sendArkFaultError,
  sendArkJson,
  type ModelArkError,
} from './responses';
import { classifyModelArk, parseListQuery } from './routes';
import {
  changeAt,
  DEFAULT_EXECUTION_EXPIRES_AFTER_S,
  DEFAULT_FAILURE_CODE,
  DEFAULT_FAILURE_MESSAGE,
  isKept,
  newTaskId,
  randomSeed,
  reportedModel,
  SEEDANCE_1_5_PRO,
  statusChanges,
  taskJson,
  type ModelArkResolution,
  type ModelArkTask,
  type ModelArkTaskError,
  type StatusChange,
  type TaskFiles,
} from './tasks';
import type { ModelArkAddTaskInput, ModelArkOutcome, ModelArkOutcomeError, ModelArkSimulatorOptions } from './types';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const DEFAULTS = {
  retentionMs: 7 * DAY_MS,
  cancelledRetentionMs: DAY_MS,
  urlTtlMs: DAY_MS,
  callbackAckTimeoutMs: 5000,
  callbackRetryDelayMs: 5000,
  callbackRetries: 3,
  callbackTickMs: 150,
};

/**
 * Unknown (or no longer kept) task ids: 404 `NotFound.Task`. Undocumented; our choice follows the
 * documented `NotFound.{Parameter}` pattern of 404 codes.
 */
const TASK_NOT_FOUND = 'NotFound.Task';
/**
 * DELETE of a running or cancelled task (the doc says "not allowed" without the answer): 400
 * `InvalidParameter.TaskStatusNotAllowDelete`. Undocumented; our choice.
 */
const DELETE_NOT_ALLOWED = 'InvalidParameter.TaskStatusNotAllowDelete';

export class ModelArkApi implements ApiMode<ModelArkTask, ModelArkAddTaskInput, ModelArkOutcome, ModelArkOutcomeError> {
  readonly provider = 'modelark';
  readonly lastFrames = true;
  readonly callbacks: CallbackSender;
  private readonly tasks = new Map<string, ModelArkTask>();
  private readonly settings: typeof DEFAULTS;
  private readonly ticker: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly ctx: ModeContext,
    restored: readonly ModelArkTask[],
    options: ModelArkSimulatorOptions,
  ) {
    for (const task of restored) this.tasks.set(task.id, task);
    this.settings = {
      retentionMs: options.retentionMs ?? DEFAULTS.retentionMs,
      cancelledRetentionMs: options.cancelledRetentionMs ?? DEFAULTS.cancelledRetentionMs,
      urlTtlMs: options.urlTtlMs ?? DEFAULTS.urlTtlMs,
      callbackAckTimeoutMs: options.callbackAckTimeoutMs ?? DEFAULTS.callbackAckTimeoutMs,
      callbackRetryDelayMs: options.callbackRetryDelayMs ?? DEFAULTS.callbackRetryDelayMs,
      callbackRetries: options.callbackRetries ?? DEFAULTS.callbackRetries,
      callbackTickMs: options.callbackTickMs ?? DEFAULTS.callbackTickMs,
    };
    this.callbacks = new CallbackSender({
      ackTimeoutMs: this.settings.callbackAckTimeoutMs,
      retryDelayMs: this.settings.callbackRetryDelayMs,
      retries: this.settings.callbackRetries,
    });
    // Status changes come from the clock, which nothing pushes: a real-time ticker reads it while
    // some callback is still to come (requests also check, see observe()).
    this.ticker = setInterval(() => void this.tick(), this.settings.callbackTickMs);
    this.ticker.unref();
  }

  classify(method: string, path: string): Route | undefined {
    return classifyModelArk(method, path);
  }

  async handle(ex: Exchange, { route, query, now, fault }: ApiRequest): Promise<void> {
    if (ex.entry.authorization !== 'ok') return sendArkError(ex, 401, AUTHENTICATION_ERROR);
    const dropResponse = fault?.kind === 'dropResponse';
    switch (route.kind) {
      case 'create':
        return this.create(ex, now, dropResponse);
      case 'list':
        return this.list(ex, now, query);
      case 'delete':
        return this.delete(ex, now, route.taskId ?? '', dropResponse);
      default:
        return this.status(ex, now, route.taskId ?? '');
    }
  }

  sendError(ex: Exchange, status: 404 | 405 | 500, message: string, headers: Record<string, string> = {}): void {
    const error: ModelArkError =
      status === 500
        ? INTERNAL_ERROR
        : status === 405
          ? { code: 'MethodNotAllowed', message: `The method ${ex.req.method ?? ''} is not allowed here: ${message}.` }
          : { code: 'NotFound', message: `The requested path does not exist: ${message}.` };
    sendArkError(ex, status, error, headers);
  }

  sendFaultError(ex: Exchange, fault: GatewayErrorFault): void {
    sendArkFaultError(ex, fault);
  }

  hasFile(taskId: string, file: FileKind, now: number): boolean {
    const task = this.keptTask(taskId, now);
    if (!task || changeAt(task, now).status !== 'succeeded') return false;
    return file === 'video' || task.returnLastFrame;
  }

  observe(now: number): void {
    this.sendDueCallbacks(now);
  }

  snapshot(): ModelArkTask[] {
    return [...this.tasks.values()];
  }

  addTask(t: ModelArkAddTaskInput, createdMs: number): ModelArkTask {
    const id = t.id ?? this.freshId(createdMs);
    if (!taskIdSchema.safeParse(id).success) throw new Error(`addTask: ${JSON.stringify(id)} is not a safe task id`);
    if (this.tasks.has(id)) throw new Error(`addTask: task ${id} exists`);
    const model = t.model ?? SEEDANCE_1_5_PRO;
    const draft = t.draft ?? false;
    const resolution = t.resolution ?? (draft ? '480p' : '720p');
    const serviceTier = t.serviceTier ?? 'default';
    return this.insert({
      id,
      requestedModel: model,
      model: reportedModel(model),
      createdMs,
      serviceTier,
      timing: t.timing ?? this.timing(resolution, serviceTier),
      outcome: t.outcome ?? 'completed',
      error:
        t.error === undefined && t.errorCode === undefined
          ? null
          : { code: t.errorCode ?? DEFAULT_FAILURE_CODE, message: t.error ?? DEFAULT_FAILURE_MESSAGE },
      resolution,
      ratio: '16:9',
      duration: t.duration ?? DEFAULT_DURATION_S,
      seed: t.seed ?? randomSeed(),
      generateAudio: t.generateAudio ?? true,
      draft,
      draftTaskId: null,
      returnLastFrame: t.returnLastFrame ?? false,
      callbackUrl: t.callbackUrl ?? null,
      executionExpiresAfterS: t.executionExpiresAfterS ?? DEFAULT_EXECUTION_EXPIRES_AFTER_S,
      priority: 0,
      safetyIdentifier: null,
      cancelledMs: null,
      callbacksSent: 0,
    });
  }

  getTask(id: string): ModelArkTask | undefined {
    return this.tasks.get(id);
  }

  setOutcome(id: string, outcome: ModelArkOutcome, error?: ModelArkOutcomeError): void {
    const task = this.tasks.get(id);
    if (!task) throw new Error(`setOutcome: no task ${id}`);
    task.outcome = outcome;
    task.error = taskError(error);
    this.ctx.persist();
  }

  /** Sends what is due now, then waits for every callback sent so far. */
  async flushCallbacks(): Promise<void> {
    this.sendDueCallbacks(await this.ctx.now());
    await this.callbacks.idle();
  }

  async close(): Promise<void> {
    clearInterval(this.ticker);
    await this.callbacks.close();
  }

  private timing(resolution: ModelArkResolution, serviceTier: ModelArkTask['serviceTier']): TaskTiming {
    // The profiles are keyed by the reseller's per-resolution model names.
    return resolveTiming(this.ctx.profile, `seedance_1_5_pro_${resolution}`, serviceTier);
  }

  private freshId(createdMs: number): string {
    for (;;) {
      const id = newTaskId(createdMs);
      if (!this.tasks.has(id)) return id;
    }
  }

  private insert(task: ModelArkTask): ModelArkTask {
    this.tasks.set(task.id, task);
    this.ctx.persist();
    return task;
  }

  private keptTask(id: string, now: number): ModelArkTask | undefined {
    const task = this.tasks.get(id);
    return task && isKept(task, now, this.settings.retentionMs, this.settings.cancelledRetentionMs) ? task : undefined;
  }

  private files(task: ModelArkTask, change: StatusChange): TaskFiles | null {
    if (change.status !== 'succeeded') return null;
    // Presigned once at completion: the same URLs on every read, valid urlTtlMs from then.
    const expiresAtMs = change.atMs + this.settings.urlTtlMs;
    return {
      videoUrl: this.ctx.fileUrl(task.id, 'video', expiresAtMs),
      lastFrameUrl: task.returnLastFrame ? this.ctx.fileUrl(task.id, 'lastFrame', expiresAtMs) : null,
    };
  }

  private json(task: ModelArkTask, change: StatusChange): Record<string, unknown> {
    return taskJson(task, change, this.files(task, change));
  }

  private async create(ex: Exchange, now: number, dropResponse: boolean): Promise<void> {
    const parsed = await readModelArkCreateRequest(ex.req);
    if (!parsed.ok) return sendArkError(ex, parsed.status, parsed);
    const r = parsed.request;
    const draft = r.draft ?? false;
    const resolution = r.resolution ?? (draft ? '480p' : '720p');
    const serviceTier = r.service_tier ?? 'default';
    const draftTask = r.content.find((i) => i.type === 'draft_task');
    const task = this.insert({
      id: this.freshId(now),
      requestedModel: r.model,
      model: reportedModel(r.model),
      createdMs: now,
      serviceTier,
      timing:
        this.ctx.options.timingFor?.({
          model: r.model,
          prompt: r.content.find((i) => i.type === 'text')?.text ?? '',
        }) ?? this.timing(resolution, serviceTier),
      outcome: 'completed',
      error: null,
      resolution,
      ratio: r.ratio == null || r.ratio === 'adaptive' ? '16:9' : r.ratio,
      duration: r.duration == null ? DEFAULT_DURATION_S : r.duration === -1 ? CHOSEN_DURATION_S : r.duration,
      seed: r.seed == null || r.seed === -1 ? randomSeed() : r.seed,
      generateAudio: r.generate_audio ?? true,
      draft,
      draftTaskId: draftTask?.type === 'draft_task' ? draftTask.draft_task.id : null,
      returnLastFrame: r.return_last_frame ?? false,
      callbackUrl: r.callback_url ?? null,
      executionExpiresAfterS: r.execution_expires_after ?? DEFAULT_EXECUTION_EXPIRES_AFTER_S,
      priority: r.priority ?? 0,
      safetyIdentifier: r.safety_identifier ?? null,
      cancelledMs: null,
      callbacksSent: 0,
    });
    this.ctx.countCreate();
    ex.entry.taskId = task.id;
    ex.entry.modelarkCreateRequest = r;
    this.sendDueCallbacks(now); // the `queued` callback
    // The lost-response case: the task exists, the client never hears of it.
    if (dropResponse) return void ex.req.socket.destroy();
    sendArkJson(ex, 200, { id: task.id });
  }

  private status(ex: Exchange, now: number, taskId: string): void {
    const task = this.keptTask(taskId, now);
    if (!task) return sendArkError(ex, 404, notFound(taskId));
    sendArkJson(ex, 200, this.json(task, changeAt(task, now)));
  }

  private list(ex: Exchange, now: number, params: URLSearchParams): void {
    const parsed = parseListQuery(params);
    if (!parsed.ok) return sendArkError(ex, 400, parsed.error);
    const q = parsed.query;
    const matching = [...this.tasks.values()]
      .filter((task) => isKept(task, now, this.settings.retentionMs, this.settings.cancelledRetentionMs))
      .map((task) => ({ task, change: changeAt(task, now) }))
      .filter(
        ({ task, change }) =>
          task.serviceTier === q.serviceTier &&
          (q.status === null || change.status === q.status) &&
          (q.taskIds.length === 0 || q.taskIds.includes(task.id)) &&
          (q.model === null || task.requestedModel === q.model),
      )
      // Newest first (undocumented; our choice), ties by id.
      .sort((a, b) => b.task.createdMs - a.task.createdMs || (a.task.id < b.task.id ? 1 : -1));
    const start = (q.pageNum - 1) * q.pageSize;
    sendArkJson(ex, 200, {
      items: matching.slice(start, start + q.pageSize).map(({ task, change }) => this.json(task, change)),
      total: matching.length,
    });
  }

  /**
   * Queued: cancelled (the record stays, then goes after cancelledRetentionMs). Succeeded, failed,
   * expired: the record is deleted. Running, cancelled: refused.
   */
  private delete(ex: Exchange, now: number, taskId: string, dropResponse: boolean): void {
    const task = this.keptTask(taskId, now);
    if (!task) return sendArkError(ex, 404, notFound(taskId));
    const { status } = changeAt(task, now);
    if (status === 'running' || status === 'cancelled') {
      return sendArkError(ex, 400, {
        code: DELETE_NOT_ALLOWED,
        param: 'id',
        message: `The task ${taskId} is ${status} and cannot be cancelled or deleted.`,
      });
    }
    if (status === 'queued') task.cancelledMs = now;
    else this.tasks.delete(taskId);
    this.ctx.persist();
    if (dropResponse) return void ex.req.socket.destroy();
    sendArkJson(ex, 200, {});
  }

  /** Sends the callback of every status change due by `now` that has not had one. */
  private sendDueCallbacks(now: number): void {
    let sent = false;
    for (const task of this.tasks.values()) {
      if (task.callbackUrl === null) continue;
      const changes = statusChanges(task);
      for (
        let change = changes[task.callbacksSent];
        change && change.atMs <= now;
        change = changes[task.callbacksSent]
      ) {
        // `cancelled` is not among the documented callback statuses.
        if (change.status !== 'cancelled') {
          this.callbacks.send({
            taskId: task.id,
            url: task.callbackUrl,
            status: change.status,
            body: this.json(task, change),
          });
        }
        task.callbacksSent++;
        sent = true;
      }
    }
    if (sent) this.ctx.persist();
  }

  private hasCallbacksToCome(): boolean {
    for (const task of this.tasks.values()) {
      if (task.callbackUrl !== null && task.callbacksSent < statusChanges(task).length) return true;
    }
    return false;
  }

  private async tick(): Promise<void> {
    if (this.ticking || !this.hasCallbacksToCome()) return;
    this.ticking = true;
    try {
      this.sendDueCallbacks(await this.ctx.now());
    } catch {
      // The clock may be gone (a test environment torn down first); the next request reports it.
    } finally {
      this.ticking = false;
    }
  }
}

function notFound(taskId: string): ModelArkError {
  return { code: TASK_NOT_FOUND, message: `The specified task ${taskId} is not found.` };
}

function taskError(error: ModelArkOutcomeError | undefined): ModelArkTaskError | null {
  if (error === undefined) return null;
  if (typeof error === 'string') return { code: DEFAULT_FAILURE_CODE, message: error };
  return { code: error.code ?? DEFAULT_FAILURE_CODE, message: error.message ?? DEFAULT_FAILURE_MESSAGE };
}
