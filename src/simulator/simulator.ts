/**
 * A local look-alike of the Seedance 1.5 task API (shared/seedance-api.md) and of the file host
 * serving its signed video URLs, over real HTTP. Every time-dependent answer reads the injectable
 * clock, so tests on the time-skipping Temporal server see tasks progress with skipped time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SEEDANCE_MODELS } from '../seedance/models';
import { taskIdSchema } from '../seedance/schemas';
import { readCreateRequest } from './create-request';
import { Exchange, type AuthorizationState, type RequestLogEntry } from './exchange';
import { FaultQueue, isGatewayFault, type Fault, type FaultTarget, type VideoFault } from './faults';
import { describeVideo, loadSampleVideo, withoutBox, withTrailingFreeBox, type VideoFile } from './sample-video';
import { resolveTiming, type SimulatorProfile } from './profiles';
import { sendApiError, sendGatewayFault, sendJson, sendStorageError } from './responses';
import { UrlSigner } from './signing';
import { loadState, saveState } from './state';
import { createdJson, isRetained, newTaskId, statusAt, taskJson, type SimTask, type TaskOutcome } from './tasks';
import { classify, type Route } from './routes';
import type { AddTaskInput, Simulator, SimulatorOptions } from './types';
import { serveVideo } from './video';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_API_KEY = 'sim-key';
const DEFAULT_MODEL = SEEDANCE_MODELS[0];
const DEFAULT_DURATION_S = 5;
/** What "the model chooses" (`duration: -1`) comes out as. */
const CHOSEN_DURATION_S = 8;

export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = new SeedanceSimulator(options);
  await simulator.listen(options.host ?? '127.0.0.1', options.port ?? 0);
  return simulator;
}

class SeedanceSimulator implements Simulator {
  url = '';
  readonly requests: RequestLogEntry[] = [];
  onRequest?: (entry: RequestLogEntry) => void;

  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly sockets = new Set<Socket>();
  private readonly tasks = new Map<string, SimTask>();
  private readonly faults = new FaultQueue();
  private readonly signer: UrlSigner;
  private readonly apiKeyDigest: Buffer;
  private readonly original: Buffer;
  private file: VideoFile;
  private variants = 0;
  private creates = 0;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: SimulatorOptions) {
    this.apiKeyDigest = digest(options.apiKey ?? DEFAULT_API_KEY);
    this.original = options.video ?? loadSampleVideo();
    this.file = describeVideo(this.original);
    const state = options.stateFile === undefined ? undefined : loadState(options.stateFile);
    this.signer = new UrlSigner(state ? Buffer.from(state.secret, 'hex') : undefined);
    for (const task of state?.tasks ?? []) this.tasks.set(task.id, task);
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get video(): Buffer {
    return this.file.bytes;
  }

  get videoSha256(): string {
    return this.file.sha256;
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.url = `http://${urlHost(host)}:${(this.server.address() as AddressInfo).port}`;
        this.persist();
        resolve();
      });
    });
  }

  createCount(): number {
    return this.creates;
  }

  async addTask(t: AddTaskInput = {}): Promise<SimTask> {
    const id = t.id ?? newTaskId();
    if (!taskIdSchema.safeParse(id).success) throw new Error(`addTask: ${JSON.stringify(id)} is not a safe task id`);
    if (this.tasks.has(id)) throw new Error(`addTask: task ${id} exists`);
    const model = t.model ?? DEFAULT_MODEL;
    const serviceTier = t.serviceTier ?? 'default';
    return this.insert({
      id,
      model,
      createdMs: t.createdMs ?? (await this.now()),
      serviceTier,
      timing: t.timing ?? resolveTiming(this.profile, model, serviceTier),
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
    this.persist();
  }

  inject(fault: Fault): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  signedVideoUrl(taskId: string, expiresAtMs: number): string {
    return `${this.url}/files/${taskId}.mp4?${this.signer.query(taskId, expiresAtMs)}`;
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
    return this.closing;
  }

  private get profile(): SimulatorProfile {
    return this.options.profile ?? 'fast';
  }

  private async now(): Promise<number> {
    return Number(await (this.options.clock ?? Date.now)());
  }

  private insert(task: SimTask): SimTask {
    this.tasks.set(task.id, task);
    this.persist();
    return task;
  }

  private persist(): void {
    if (this.options.stateFile === undefined) return;
    saveState(this.options.stateFile, {
      version: 1,
      secret: this.signer.secret.toString('hex'),
      tasks: [...this.tasks.values()],
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? '' : rawUrl.slice(queryAt + 1));
    const route = classify(req.method ?? 'GET', path);
    const entry = this.log(req, path, route);
    const ex = new Exchange(req, res, entry, (e) => this.onRequest?.(e));
    try {
      const now = await this.now();
      entry.at = now;
      const target: FaultTarget | undefined = route.kind === 'other' ? undefined : route.kind;
      const fault = target === undefined ? undefined : this.faults.take(target);
      if (fault) entry.fault = fault.kind;
      if (fault && isGatewayFault(fault)) return await sendGatewayFault(ex, fault);
      switch (route.kind) {
        case 'create':
          return await this.create(ex, now, fault?.kind === 'dropResponse');
        case 'status':
          return this.status(ex, now, route.taskId ?? '');
        case 'video':
          return await this.serveFile(ex, now, route.taskId ?? '', query, fault as VideoFault | undefined);
        default:
          if (route.allow) return sendApiError(ex, 405, 'method not allowed', { Allow: route.allow });
          return sendApiError(ex, 404, 'not found');
      }
    } catch (error) {
      if (!res.headersSent) sendApiError(ex, 500, 'simulator error');
      else res.destroy();
      console.error('simulator: request failed', error);
    }
  }

  private log(req: http.IncomingMessage, path: string, route: Route): RequestLogEntry {
    const entry: RequestLogEntry = {
      at: Number.NaN,
      method: req.method ?? 'GET',
      path,
      kind: route.kind,
      status: 0,
      authorization: this.authorization(req.headers.authorization),
      bytesServed: 0,
      complete: false,
    };
    if (route.taskId !== undefined && taskIdSchema.safeParse(route.taskId).success) entry.taskId = route.taskId;
    if (typeof req.headers.range === 'string') entry.range = req.headers.range;
    if (typeof req.headers['if-range'] === 'string') entry.ifRange = req.headers['if-range'];
    this.requests.push(entry);
    return entry;
  }

  private authorization(header: string | undefined): AuthorizationState {
    if (header === undefined) return 'missing';
    const match = /^Bearer (.+)$/.exec(header);
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), this.apiKeyDigest) ? 'ok' : 'wrong';
  }

  private async create(ex: Exchange, now: number, dropResponse: boolean): Promise<void> {
    if (ex.entry.authorization !== 'ok') return sendApiError(ex, 401, 'invalid or missing API key');
    const parsed = await readCreateRequest(ex.req);
    if (!parsed.ok) return sendApiError(ex, parsed.status, parsed.message);
    const { model, service_tier: serviceTier = 'default', duration } = parsed.request;
    const task = this.insert({
      id: newTaskId(),
      model,
      createdMs: now,
      serviceTier,
      timing: resolveTiming(this.profile, model, serviceTier),
      outcome: 'completed',
      error: null,
      actualDuration: duration === undefined ? DEFAULT_DURATION_S : duration === -1 ? CHOSEN_DURATION_S : duration,
    });
    this.creates++;
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
    const url = status === 'completed' ? this.signedVideoUrl(task.id, now + (this.options.urlTtlMs ?? DAY_MS)) : null;
    sendJson(ex, 200, taskJson(task, status, url));
  }

  /** The file host: no API key, a signed and expiring URL instead. */
  private async serveFile(
    ex: Exchange,
    now: number,
    taskId: string,
    query: URLSearchParams,
    fault: VideoFault | undefined,
  ): Promise<void> {
    if (fault?.kind === 'expired')
      return sendStorageError(ex, fault.code ?? 403, 'AccessDenied', 'Request has expired');
    if (!taskIdSchema.safeParse(taskId).success)
      return sendStorageError(ex, 404, 'NoSuchKey', 'The specified key does not exist.');
    const expires = query.get('expires');
    if (!this.signer.verify(taskId, expires, query.get('sig'))) {
      return sendStorageError(ex, 403, 'SignatureDoesNotMatch', 'The request signature does not match.');
    }
    if (now > Number(expires)) return sendStorageError(ex, 403, 'AccessDenied', 'Request has expired');
    const task = this.retainedTask(taskId, now);
    if (!task || statusAt(task, now) !== 'completed') {
      return sendStorageError(ex, 404, 'NoSuchKey', 'The specified key does not exist.');
    }
    if (fault?.kind === 'changeEtag') this.changeVideo();
    const file = fault?.kind === 'truncatedMp4' ? describeVideo(withoutBox(this.file.bytes, 'moov')) : this.file;
    await serveVideo(ex, file, fault);
  }

  private retainedTask(id: string, now: number): SimTask | undefined {
    const task = this.tasks.get(id);
    return task && isRetained(task, now, this.options.retentionMs ?? DAY_MS) ? task : undefined;
  }

  /** The file "changes": a new valid MP4 with other bytes, hence another ETag. */
  private changeVideo(): void {
    this.variants++;
    this.file = describeVideo(withTrailingFreeBox(this.original, `seedance-simulator variant ${this.variants}`));
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function urlHost(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
