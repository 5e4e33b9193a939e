/**
 * BytePlus ModelArk / Volcengine Ark behind the provider-neutral port: the neutral request mapped
 * onto ModelArk's (reseller model names as aliases), its task JSON onto {@link ProviderTask}, and
 * a cancel that can never delete a finished task's record.
 */
import { signedCallbackUrl } from '../../callbacks/callback-url';
import { SeedanceError } from '../errors';
import type {
  CancelOutcome,
  CreateTaskOptions,
  ProviderCapabilities,
  ProviderRequestOptions,
  ProviderTask,
  VideoTaskProvider,
} from '../provider';
import type { VideoRequest } from '../video-request';
import { ModelArkClient, type ModelArkClientOptions } from './client';
import { DEFAULT_RESOLUTION, resolveModel } from './models';
import type { ModelArkCreateBody } from './schemas';
import { DEFAULT_EXECUTION_EXPIRES_S, fromModelArkTask, RECORD_RETENTION_MS, STATUS_FROM_MODELARK } from './task';

export interface ModelArkProviderOptions extends ModelArkClientOptions {
  /**
   * Ask ModelArk to POST each status change to `url`. With a workflow id the URL names that
   * workflow, signed with `secret` (`signedCallbackUrl`), so the receiver can route the callback.
   */
  callback?: { url: string; secret: string };
}

/** DELETE answers that are about the caller (key, access, pace), not a refusal to cancel this task. */
const NOT_A_REFUSAL = new Set([401, 403, 408, 425, 429]);

/**
 * @example
 * const provider = new ModelArkProvider({ apiKey, callback: { url: 'https://hooks.example.com/ark', secret } });
 * const task = await provider.createTask(
 *   { model: 'seedance_1_5_pro_1080p', content: [{ type: 'text', text: 'a red fox in snow' }] },
 *   { workflowId: 'video-42' },
 * );
 */
export class ModelArkProvider implements VideoTaskProvider {
  readonly name = 'modelark' as const;
  readonly capabilities: ProviderCapabilities;
  readonly #client: ModelArkClient;
  readonly #callback: { url: string; secret: string } | undefined;

  constructor(options: ModelArkProviderOptions) {
    const { callback, ...clientOptions } = options;
    if (callback !== undefined) checkCallback(callback);
    this.#client = new ModelArkClient(clientOptions);
    this.#callback = callback;
    this.capabilities = { cancel: true, callbacks: callback !== undefined, recordRetentionMs: RECORD_RETENTION_MS };
  }

  /**
   * Creates the task. ModelArk answers only `{ id }`, so the returned task is made from what was
   * sent: `queued`, created at the local time of sending (before the server's `created_at`, so
   * every deadline derived from it is early rather than late).
   */
  async createTask(request: VideoRequest, options: CreateTaskOptions = {}): Promise<ProviderTask> {
    const body = this.#createBody(request, options.workflowId);
    const createdMs = Date.now();
    const { id } = await this.#client.createTask(body, options.signal === undefined ? {} : { signal: options.signal });
    return {
      id,
      model: body.model,
      createdMs,
      status: 'queued',
      videoUrl: null,
      lastFrameUrl: null,
      actualDuration: null,
      error: null,
      errorCode: null,
      resolution: body.resolution ?? DEFAULT_RESOLUTION,
      serviceTier: body.service_tier ?? 'default',
      expiresAtMs: createdMs + (body.execution_expires_after ?? DEFAULT_EXECUTION_EXPIRES_S) * 1000,
      videoUrlExpiresAtMs: null,
      usage: null,
      localTimes: true,
    };
  }

  async getTask(taskId: string, options: ProviderRequestOptions = {}): Promise<ProviderTask> {
    return fromModelArkTask(await this.#client.getTask(taskId, options), Date.now());
  }

  /**
   * Cancels a `queued` task. ModelArk's DELETE also deletes the record of a succeeded, failed or
   * expired task, so the status is read first and a DELETE is sent only for `queued`. A task can
   * start running between the two requests: the refusal's status and code are undocumented, so any
   * 4xx that is not about the key, access or pace counts as "refused", and the status is read again.
   */
  async cancelTask(taskId: string, options: ProviderRequestOptions = {}): Promise<CancelOutcome> {
    const before = await this.#client.getTask(taskId, options);
    if (before.status !== 'queued') return { cancelled: false, status: STATUS_FROM_MODELARK[before.status] };
    try {
      await this.#client.deleteTask(taskId, options);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      const after = await this.#client.getTask(taskId, options);
      return { cancelled: false, status: STATUS_FROM_MODELARK[after.status] };
    }
    return { cancelled: true, status: 'cancelled' };
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  #createBody(request: VideoRequest, workflowId: string | undefined): ModelArkCreateBody {
    const { model, resolution } = resolveModel(request.model, request.resolution, this.#client.baseUrl);
    const rendersDraft = request.content.some((item) => item.type === 'draft_task');
    return {
      ...request,
      model,
      ...(resolution === undefined ? {} : { resolution }),
      // Sources disagree on the default (vendor docs: true; UCloud and some wrappers: false), so it
      // is always sent, as the vendor docs' default. Except when rendering a draft: the draft's own
      // generate_audio is reused, and an explicit one could contradict it.
      ...(request.generate_audio === undefined && !rendersDraft ? { generate_audio: true } : {}),
      ...(this.#callback === undefined ? {} : { callback_url: callbackUrl(this.#callback, workflowId) }),
    };
  }
}

/** The configured URL, naming the creating workflow (signed) when there is one. */
function callbackUrl(callback: { url: string; secret: string }, workflowId: string | undefined): string {
  return workflowId === undefined ? callback.url : signedCallbackUrl(callback.url, workflowId, callback.secret);
}

function isRefusal(error: unknown): boolean {
  return (
    error instanceof SeedanceError &&
    error.status !== undefined &&
    error.status >= 400 &&
    error.status <= 499 &&
    !NOT_A_REFUSAL.has(error.status)
  );
}

function checkCallback(callback: { url: string; secret: string }): void {
  let url: URL | undefined;
  try {
    url = new URL(callback.url);
  } catch {
    url = undefined;
  }
  if (url === undefined || !['http:', 'https:'].includes(url.protocol) || url.username !== '' || url.password !== '') {
    throw new TypeError('ModelArkProvider: callback.url must be an absolute http(s) URL without credentials');
  }
  if (typeof callback.secret !== 'string' || callback.secret === '') {
    throw new TypeError('ModelArkProvider: callback.secret must be a non-empty string');
  }
}
