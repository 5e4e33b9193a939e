/**
 * The provider-neutral port the activities use. The workflows never learn which provider runs:
 * each provider (the reseller API, BytePlus ModelArk / Volcengine Ark) is an adapter that maps its
 * own task JSON, statuses and errors onto these types and the typed errors of `./errors`.
 *
 * Pure types and constants: safe to import from workflow code.
 */
import type { ServiceTier } from './models';
import type { VideoRequest } from './video-request';

export type ProviderName = 'reseller' | 'modelark';
export const PROVIDER_NAMES: readonly ProviderName[] = ['reseller', 'modelark'];

/** A remote task's status in the package's words (each adapter maps its provider's onto these). */
export const TASK_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled', 'expired'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses after which a task never changes again. */
export function isTerminalStatus(status: TaskStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled' || status === 'expired';
}

/** Tokens a finished video cost, where the provider reports them (ModelArk's `usage`). */
export interface TokenUsage {
  completionTokens: number;
  totalTokens: number;
}

/** A task as any provider reports it. The URLs are signed credentials: they never enter history. */
export interface ProviderTask {
  id: string;
  /** The model as the provider names it (ModelArk: `seedance-1-5-pro-251215`, not the endpoint id). */
  model: string;
  /** Creation time, ms since epoch. */
  createdMs: number;
  status: TaskStatus;
  /** Set when `completed`. */
  videoUrl: string | null;
  /** A PNG of the last frame, when the create asked for it (ModelArk `return_last_frame`). */
  lastFrameUrl?: string | null;
  /** When the task completed, where the provider says (ModelArk's `updated_at` of a succeeded task). */
  completedAtMs?: number | null;
  /** Seconds of video, as reported once completed. */
  actualDuration: number | null;
  /** The provider's message for a `failed` (or `expired`) task. */
  error: string | null;
  /** The provider's error code, e.g. `OutputVideoSensitiveContentDetected.PolicyViolation`. */
  errorCode?: string | null;
  /** `480p`, `720p`, `1080p` where the provider reports it apart from the model. */
  resolution?: string | null;
  serviceTier?: ServiceTier | null;
  /** When the provider gives up on a task still queued or running (ModelArk `execution_expires_after`). */
  expiresAtMs?: number | null;
  /** Until when `videoUrl` stays valid, when the provider documents it. */
  videoUrlExpiresAtMs?: number | null;
  usage?: TokenUsage | null;
  /**
   * The task was made from what was sent, not read from the provider (ModelArk's create answers
   * only its id): its times are this worker's clock at sending, not the provider's.
   */
  localTimes?: boolean;
}

/** What {@link VideoTaskProvider.cancelTask} achieved. */
export interface CancelOutcome {
  /** True when the provider stopped the task before it rendered (nothing is billed). */
  cancelled: boolean;
  /** The task's status after the attempt, when known. */
  status: TaskStatus | null;
}

export interface ProviderRequestOptions {
  /** Aborting rejects with the signal's reason, not with a Seedance error. */
  signal?: AbortSignal;
}

export interface CreateTaskOptions extends ProviderRequestOptions {
  /**
   * The workflow this create belongs to. A provider with callbacks puts it, signed, into the
   * `callback_url`, so the callback receiver can route the callback to that workflow.
   */
  workflowId?: string;
}

/** What a provider can do beyond create and get. */
export interface ProviderCapabilities {
  /** `cancelTask` stops a queued task. */
  cancel: boolean;
  /** Creates ask the provider to call back (`SEEDANCE_CALLBACK_URL` is set). */
  callbacks: boolean;
  /** How long the provider keeps a task's record, ms from creation. */
  recordRetentionMs: number;
}

/** The port: one provider's task API, in the package's words. */
export interface VideoTaskProvider {
  readonly name: ProviderName;
  readonly capabilities: ProviderCapabilities;
  /**
   * Creates a task. The request is validated against the provider's rules first: an invalid one
   * throws `SeedanceInvalidRequestError` without any network traffic. Not idempotent.
   */
  createTask(request: VideoRequest, options?: CreateTaskOptions): Promise<ProviderTask>;
  getTask(taskId: string, options?: ProviderRequestOptions): Promise<ProviderTask>;
  /**
   * Stops the task if it is still queued; never removes the record of a task that started,
   * finished or failed. Only when `capabilities.cancel`.
   */
  cancelTask?(taskId: string, options?: ProviderRequestOptions): Promise<CancelOutcome>;
  /** Closes connection pools the provider owns. */
  close?(): Promise<void>;
}
