/**
 * The reseller API mode (shared/seedance-api.md): `POST /v1/seedance/videos` creates a task,
 * `GET /v1/result/{id}` reads it. Errors are `{ error: { code: <status>, message, type } }`.
 */
import { SEEDANCE_MODELS } from '../seedance/models';
import { taskIdSchema } from '../seedance/schemas';
import { readCreateRequest } from './create-request';
import type { Exchange } from './exchange';
import type { ApiMode, ApiRequest, FileKind, ModeContext } from './mode';
import { resolveTiming } from './profiles';
import { sendApiError, sendJson, sendResellerFaultError, type GatewayErrorFault } from './responses';
import { classifyReseller, type Route } from './routes';
import {
  CHOSEN_DURATION_S,
  createdJson,
  DEFAULT_DURATION_S,
  isRetained,
  newTaskId,
  statusAt,
  taskJson,
  type SimTask,
  type TaskOutcome,
} from './tasks';
import type { AddTaskInput } from './types';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_MODEL = SEEDANCE_MODELS[0];

export class ResellerApi implements ApiMode<SimTask, AddTaskInput, TaskOutcome, string> {
  readonly provider = 'reseller';
  readonly lastFrames = false;
  private readonly tasks = new Map<string, SimTask>();

  constructor(
    private readonly ctx: ModeContext,
    restored: readonly SimTask[],
  ) {
    for (const task of restored) this.tasks.set(task.id, task);
  }

  classify(method: string, path: string): Route | undefined {
    return classifyReseller(method, path);
  }

  async handle(ex: Exchange, { route, now, fault }: ApiRequest): Promise<void> {
    if (route.kind === 'create') return this.create(ex, now, fault?.kind === 'dropResponse');
    return this.status(ex, now, route.taskId ?? '');
  }

  sendError(ex: Exchange, status: number, message: string, headers: Record<string, string> = {}): void {
    sendApiError(ex, status, message, headers);
  }

  sendFaultError(ex: Exchange, fault: GatewayErrorFault): void {
    sendResellerFaultError(ex, fault);
  }

  hasFile(taskId: string, file: FileKind, now: number): boolean {
    const task = this.retainedTask(taskId, now);
    return file === 'video' && task !== undefined && statusAt(task, now) === 'completed';
  }

  observe(): void {}

  snapshot(): SimTask[] {
    return [...this.tasks.values()];
  }

  addTask(t: AddTaskInput, createdMs: number): SimTask {
    const id = t.id ?? newTaskId();
    if (!taskIdSchema.safeParse(id).success) throw new Error(`addTask: ${JSON.stringify(id)} is not a safe task id`);
    if (this.tasks.has(id)) throw new Error(`addTask: task ${id} exists`);
    const model = t.model ?? DEFAULT_MODEL;
    const serviceTier = t.serviceTier ?? 'default';
    return this.insert({
      id,
      model,
      createdMs,
      serviceTier,
      timing: t.timing ?? resolveTiming(this.ctx.profile, model, serviceTier),
      outcome: t.outcome ?? 'completed',
      error: t.error ?? null,
      actualDuration: t.actualDuration ?? DEFAULT_DURATION_S,
    });
  }

  getTask(id: string): SimTask | undefined {
    return this.tasks.get(id);
  }

  setOutcome(id: string, outcome: TaskOutcome, error?: string): void {
    const task = this.tasks.get(id);
    if (!task) throw new Error(`setOutcome: no task ${id}`);
    task.outcome = outcome;
    task.error = error ?? null;
    this.ctx.persist();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private insert(task: SimTask): SimTask {
    this.tasks.set(task.id, task);
    this.ctx.persist();
    return task;
  }

  private async create(ex: Exchange, now: number, dropResponse: boolean): Promise<void> {
    if (ex.entry.authorization !== 'ok') return sendApiError(ex, 401, 'invalid or missing API key');
    const parsed = await readCreateRequest(ex.req);
    if (!parsed.ok) return sendApiError(ex, parsed.status, parsed.message);
    const { model, service_tier: serviceTier = 'default', duration } = parsed.request;
    const prompt = parsed.request.content.find((i) => i.type === 'text')?.text ?? '';
    const task = this.insert({
      id: newTaskId(),
      model,
      createdMs: now,
      serviceTier,
      timing: this.ctx.options.timingFor?.({ model, prompt }) ?? resolveTiming(this.ctx.profile, model, serviceTier),
      outcome: 'completed',
      error: null,
      actualDuration: duration === undefined ? DEFAULT_DURATION_S : duration === -1 ? CHOSEN_DURATION_S : duration,
    });
    this.ctx.countCreate();
    ex.entry.taskId = task.id;
    ex.entry.createRequest = parsed.request;
    // The lost-response case: the task exists, the client never hears of it.
    if (dropResponse) return void ex.req.socket.destroy();
    sendJson(ex, 200, createdJson(task));
  }

  private status(ex: Exchange, now: number, taskId: string): void {
    if (ex.entry.authorization !== 'ok') return sendApiError(ex, 401, 'invalid or missing API key');
    if (!taskIdSchema.safeParse(taskId).success) return sendApiError(ex, 400, 'invalid task id');
    const task = this.retainedTask(taskId, now);
    if (!task) return sendApiError(ex, 404, `task ${taskId} not found`);
    const status = statusAt(task, now);
    const url =
      status === 'completed' ? this.ctx.fileUrl(task.id, 'video', now + (this.ctx.options.urlTtlMs ?? DAY_MS)) : null;
    sendJson(ex, 200, taskJson(task, status, url));
  }

  private retainedTask(id: string, now: number): SimTask | undefined {
    const task = this.tasks.get(id);
    return task && isRetained(task, now, this.ctx.options.retentionMs ?? DAY_MS) ? task : undefined;
  }
}
