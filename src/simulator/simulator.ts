/**
 * A local look-alike of a Seedance task API and of the file host serving its signed video URLs,
 * over real HTTP. Two provider modes share this server: the reseller API (shared/seedance-api.md,
 * the default; reseller.ts) and BytePlus ModelArk (shared/modelark-api.md; modelark/). The server
 * owns what they share: the HTTP listener, the request log, fault injection, the clock, the file
 * host and the state file. Every time-dependent answer reads the injectable clock, so tests on the
 * time-skipping Temporal server see tasks progress with skipped time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ProviderName } from '../seedance/provider';
import { taskIdSchema } from '../seedance/schemas';
import { Exchange, type AuthorizationState, type RequestLogEntry } from './exchange';
import { FaultQueue, isGatewayFault, type Fault, type FaultTarget, type VideoFault } from './faults';
import { lastFramePng } from './last-frame';
import type { ApiMode, FileKind, ModeContext } from './mode';
import { ModelArkApi } from './modelark/api';
import type { CallbackAttempt } from './modelark/callbacks';
import type { ModelArkTask } from './modelark/tasks';
import type {
  ModelArkAddTaskInput,
  ModelArkOutcome,
  ModelArkOutcomeError,
  ModelArkSimulator,
  ModelArkSimulatorOptions,
} from './modelark/types';
import type { SimulatorProfile } from './profiles';
import { ResellerApi } from './reseller';
import { sendGatewayFault, sendStorageError } from './responses';
import { classifyFile, type Route } from './routes';
import { describeVideo, loadSampleVideo, withoutBox, withTrailingFreeBox, type VideoFile } from './sample-video';
import { UrlSigner } from './signing';
import { loadState, saveState } from './state';
import type { SimTask, TaskOutcome } from './tasks';
import type { AddTaskInput, CommonSimulatorOptions, Simulator, SimulatorHandle, SimulatorOptions } from './types';
import { serveVideo } from './video';

const DEFAULT_API_KEY = 'sim-key';

/**
 * Starts a simulator on a free port (unless `port` is given). `provider: 'modelark'` makes it the
 * ModelArk API under `/api/v3`; the default is the reseller API.
 */
export function createSimulator(options: ModelArkSimulatorOptions): Promise<ModelArkSimulator>;
export function createSimulator(options?: SimulatorOptions): Promise<Simulator>;
export function createSimulator(
  options?: SimulatorOptions | ModelArkSimulatorOptions,
): Promise<Simulator | ModelArkSimulator>;
export async function createSimulator(
  options: SimulatorOptions | ModelArkSimulatorOptions = {},
): Promise<Simulator | ModelArkSimulator> {
  const simulator =
    options.provider === 'modelark' ? new ModelArkSimulatorServer(options) : new ResellerSimulator(options);
  try {
    await simulator.listen(options.host ?? '127.0.0.1', options.port ?? 0);
  } catch (error) {
    await simulator.close();
    throw error;
  }
  return simulator;
}

/** The server both modes share; `mode` answers the API routes. */
abstract class SimulatorServer<
  Task,
  AddInput extends { createdMs?: number },
  Outcome,
  OutcomeError,
> implements SimulatorHandle<Task, AddInput, Outcome, OutcomeError> {
  url = '';
  readonly requests: RequestLogEntry[] = [];
  onRequest?: (entry: RequestLogEntry) => void;

  protected readonly mode: ApiMode<Task, AddInput, Outcome, OutcomeError>;
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly sockets = new Set<Socket>();
  private readonly faults = new FaultQueue();
  private readonly signer: UrlSigner;
  private readonly apiKeyDigest: Buffer;
  private readonly original: Buffer;
  private file: VideoFile;
  private variants = 0;
  private creates = 0;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: CommonSimulatorOptions,
    provider: ProviderName,
    makeMode: (ctx: ModeContext, restored: Task[]) => ApiMode<Task, AddInput, Outcome, OutcomeError>,
  ) {
    this.apiKeyDigest = digest(options.apiKey ?? DEFAULT_API_KEY);
    this.original = options.video ?? loadSampleVideo();
    this.file = describeVideo(this.original);
    const state = options.stateFile === undefined ? undefined : loadState(options.stateFile);
    if (state && (state.provider ?? 'reseller') !== provider) {
      throw new Error(
        `simulator state file ${options.stateFile} holds ${state.provider ?? 'reseller'} tasks, not ${provider}`,
      );
    }
    this.signer = new UrlSigner(state ? Buffer.from(state.secret, 'hex') : undefined);
    this.mode = makeMode(this.context(), (state?.tasks ?? []) as Task[]);
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

  async addTask(t: AddInput = {} as AddInput): Promise<Task> {
    return this.mode.addTask(t, t.createdMs ?? (await this.now()));
  }

  getTask(id: string): Task | undefined {
    return this.mode.getTask(id);
  }

  setOutcome(id: string, outcome: Outcome, error?: OutcomeError): void {
    this.mode.setOutcome(id, outcome, error);
  }

  inject(fault: Fault): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  signedVideoUrl(taskId: string, expiresAtMs: number): string {
    return this.fileUrl(taskId, 'video', expiresAtMs);
  }

  close(): Promise<void> {
    this.closing ??= Promise.all([
      this.mode.close(),
      new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        for (const socket of this.sockets) socket.destroy();
      }),
    ]).then(() => undefined);
    return this.closing;
  }

  protected fileUrl(taskId: string, file: FileKind, expiresAtMs: number): string {
    const extension = file === 'video' ? 'mp4' : 'png';
    return `${this.url}/files/${taskId}.${extension}?${this.signer.query(signingKey(taskId, file), expiresAtMs)}`;
  }

  protected now(): Promise<number> {
    return Promise.resolve((this.options.clock ?? Date.now)()).then(Number);
  }

  private context(): ModeContext {
    return {
      options: this.options,
      profile: this.profile,
      now: () => this.now(),
      persist: () => this.persist(),
      fileUrl: (taskId, file, expiresAtMs) => this.fileUrl(taskId, file, expiresAtMs),
      countCreate: () => void this.creates++,
    };
  }

  private get profile(): SimulatorProfile {
    return this.options.profile ?? 'fast';
  }

  private persist(): void {
    if (this.options.stateFile === undefined) return;
    saveState(this.options.stateFile, {
      version: 1,
      ...(this.mode.provider === 'reseller' ? {} : { provider: this.mode.provider }),
      secret: this.signer.secret.toString('hex'),
      tasks: this.mode.snapshot(),
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? '' : rawUrl.slice(queryAt + 1));
    const method = req.method ?? 'GET';
    const route = classifyFile(method, path, this.mode.lastFrames) ??
      this.mode.classify(method, path) ?? { kind: 'other' };
    const entry = this.log(req, path, route);
    const ex = new Exchange(req, res, entry, (e) => this.onRequest?.(e));
    try {
      const now = await this.now();
      entry.at = now;
      this.mode.observe(now);
      const target: FaultTarget | undefined = route.kind === 'other' ? undefined : route.kind;
      const fault = target === undefined ? undefined : this.faults.take(target);
      if (fault) entry.fault = fault.kind;
      if (fault && isGatewayFault(fault))
        return await sendGatewayFault(ex, fault, (e, f) => this.mode.sendFaultError(e, f));
      switch (route.kind) {
        case 'video':
        case 'lastFrame':
          return await this.serveFile(ex, now, route, query, fault as VideoFault | undefined);
        case 'other':
          if (route.allow) return this.mode.sendError(ex, 405, 'method not allowed', { Allow: route.allow });
          return this.mode.sendError(ex, 404, 'not found');
        default:
          return await this.mode.handle(ex, { route, query, now, fault });
      }
    } catch (error) {
      if (!res.headersSent) this.mode.sendError(ex, 500, 'simulator error');
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

  /** The file host: no API key, a signed and expiring URL instead. */
  private async serveFile(
    ex: Exchange,
    now: number,
    route: Route,
    query: URLSearchParams,
    fault: VideoFault | undefined,
  ): Promise<void> {
    const taskId = route.taskId ?? '';
    const file: FileKind = route.kind === 'lastFrame' ? 'lastFrame' : 'video';
    if (fault?.kind === 'expired')
      return sendStorageError(ex, fault.code ?? 403, 'AccessDenied', 'Request has expired');
    if (!taskIdSchema.safeParse(taskId).success)
      return sendStorageError(ex, 404, 'NoSuchKey', 'The specified key does not exist.');
    const expires = query.get('expires');
    if (!this.signer.verify(signingKey(taskId, file), expires, query.get('sig'))) {
      return sendStorageError(ex, 403, 'SignatureDoesNotMatch', 'The request signature does not match.');
    }
    if (now > Number(expires)) return sendStorageError(ex, 403, 'AccessDenied', 'Request has expired');
    if (!this.mode.hasFile(taskId, file, now)) {
      return sendStorageError(ex, 404, 'NoSuchKey', 'The specified key does not exist.');
    }
    if (file === 'lastFrame') return serveVideo(ex, lastFramePng(), fault, 'image/png');
    if (fault?.kind === 'changeEtag') this.changeVideo();
    const served = fault?.kind === 'truncatedMp4' ? describeVideo(withoutBox(this.file.bytes, 'moov')) : this.file;
    await serveVideo(ex, served, fault);
  }

  /** The file "changes": a new valid MP4 with other bytes, hence another ETag. */
  private changeVideo(): void {
    this.variants++;
    this.file = describeVideo(withTrailingFreeBox(this.original, `seedance-simulator variant ${this.variants}`));
  }
}

class ResellerSimulator extends SimulatorServer<SimTask, AddTaskInput, TaskOutcome, string> implements Simulator {
  readonly provider = 'reseller';

  constructor(options: SimulatorOptions) {
    super(options, 'reseller', (ctx, restored) => new ResellerApi(ctx, restored));
  }
}

class ModelArkSimulatorServer
  extends SimulatorServer<ModelArkTask, ModelArkAddTaskInput, ModelArkOutcome, ModelArkOutcomeError>
  implements ModelArkSimulator
{
  readonly provider = 'modelark';

  constructor(options: ModelArkSimulatorOptions) {
    super(options, 'modelark', (ctx, restored) => new ModelArkApi(ctx, restored, options));
  }

  private get ark(): ModelArkApi {
    return this.mode as ModelArkApi;
  }

  get baseUrl(): string {
    return `${this.url}/api/v3`;
  }

  get callbacks(): CallbackAttempt[] {
    return this.ark.callbacks.attempts;
  }

  get onCallback(): ((attempt: CallbackAttempt) => void) | undefined {
    return this.ark.callbacks.onAttempt;
  }

  set onCallback(listener: ((attempt: CallbackAttempt) => void) | undefined) {
    this.ark.callbacks.onAttempt = listener;
  }

  signedLastFrameUrl(taskId: string, expiresAtMs: number): string {
    return this.fileUrl(taskId, 'lastFrame', expiresAtMs);
  }

  async flushCallbacks(): Promise<void> {
    await this.ark.flushCallbacks();
  }
}

/** What a file URL's signature covers: the task id for the video (as before), `<id>.png` for the last frame. */
function signingKey(taskId: string, file: FileKind): string {
  return file === 'video' ? taskId : `${taskId}.png`;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function urlHost(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
