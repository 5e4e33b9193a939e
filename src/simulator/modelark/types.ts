/** The ModelArk mode's public surface: its options, the tasks tests add, and its handle. */
import type { ServiceTier } from '../../seedance/models';
import type { TaskTiming } from '../profiles';
import type { CommonSimulatorOptions, SimulatorHandle } from '../types';
import type { CallbackAttempt } from './callbacks';
import type { ModelArkResolution, ModelArkTask } from './tasks';

/**
 * BytePlus ModelArk / Volcengine Ark (shared/modelark-api.md) under `/api/v3`. `retentionMs`
 * defaults to 7 days, `urlTtlMs` to 24 h from the task's completion.
 */
export interface ModelArkSimulatorOptions extends CommonSimulatorOptions {
  provider: 'modelark';
  /** A cancelled task's record is removed this long after its cancellation; default 24 h. */
  cancelledRetentionMs?: number;
  /** A callback counts as acknowledged when a 2xx answer arrives within this; default 5 s (documented). */
  callbackAckTimeoutMs?: number;
  /**
   * An unacknowledged `succeeded`/`failed` callback is sent again this long after the previous
   * attempt started (or when it ended, if later); default 5 s. Undocumented: our choice.
   */
  callbackRetryDelayMs?: number;
  /** Further attempts after an unacknowledged `succeeded`/`failed` callback; default 3 (documented). */
  callbackRetries?: number;
  /** How often the real-time ticker reads the clock for due callbacks; default 150 ms. */
  callbackTickMs?: number;
}

/** What a task becomes once its timing has run out (`completed` is reported as `succeeded`). */
export type ModelArkOutcome = 'completed' | 'failed' | 'cancelled' | 'expired';

/** A failure's message, or its code and message (code default `OutputVideoSensitiveContentDetected.PolicyViolation`). */
export type ModelArkOutcomeError = string | { code?: string; message?: string };

export interface ModelArkAddTaskInput {
  /** Default: a fresh `cgt-<UTC+8 time>-<5 chars>` id. */
  id?: string;
  /** The model or endpoint id "sent at create"; default `seedance-1-5-pro-251215`. */
  model?: string;
  createdMs?: number;
  /** Default `720p` (`480p` when `draft`). */
  resolution?: ModelArkResolution;
  serviceTier?: ServiceTier;
  /** Default 172800 (48 h). */
  executionExpiresAfterS?: number;
  returnLastFrame?: boolean;
  callbackUrl?: string;
  outcome?: ModelArkOutcome;
  /** A failed task's `error.code` and `error.message`. */
  errorCode?: string;
  error?: string;
  /** Default: the profile's timing for the resolution and tier. */
  timing?: TaskTiming;
  /** Seconds of video; default 5. */
  duration?: number;
  draft?: boolean;
  generateAudio?: boolean;
  seed?: number;
}

export interface ModelArkSimulator extends SimulatorHandle<
  ModelArkTask,
  ModelArkAddTaskInput,
  ModelArkOutcome,
  ModelArkOutcomeError
> {
  readonly provider: 'modelark';
  /** What a client takes as its base URL: `${url}/api/v3`. */
  readonly baseUrl: string;
  /** Every callback attempt in the order they were sent (the result fills in when it arrives). */
  readonly callbacks: CallbackAttempt[];
  /** Called when a callback attempt ends (answered, timed out or failed). */
  onCallback?: ((attempt: CallbackAttempt) => void) | undefined;
  /** A signed last-frame PNG URL, as a succeeded task with `return_last_frame` reports it. */
  signedLastFrameUrl(taskId: string, expiresAtMs: number): string;
  /**
   * Sends the callbacks due at the clock's current time (without waiting for the ticker) and
   * resolves when every callback sent so far, retries included, is done.
   */
  flushCallbacks(): Promise<void>;
}
