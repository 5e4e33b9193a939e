/**
 * What the Seedance documentation says about each model's timing. Pure data, safe to import from
 * workflow code.
 */

export const SEEDANCE_MODELS = ['seedance_1_5_pro_480p', 'seedance_1_5_pro_720p', 'seedance_1_5_pro_1080p'] as const;

export type SeedanceModel = (typeof SEEDANCE_MODELS)[number];

export type ServiceTier = 'default' | 'flex';

export interface ModelTiming {
  /** Documented polling interval, milliseconds. */
  pollMinMs: number;
  pollMaxMs: number;
  /** Documented estimated generation time, milliseconds. */
  estimatedMinMs: number;
  estimatedMaxMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** The documented table of recommended intervals and estimated generation times. */
export const MODEL_TIMINGS: Readonly<Record<SeedanceModel, ModelTiming>> = {
  seedance_1_5_pro_480p: {
    pollMinMs: 10 * SECOND,
    pollMaxMs: 20 * SECOND,
    estimatedMinMs: 30 * SECOND,
    estimatedMaxMs: 2 * MINUTE,
  },
  seedance_1_5_pro_720p: {
    pollMinMs: 30 * SECOND,
    pollMaxMs: 60 * SECOND,
    estimatedMinMs: 2 * MINUTE,
    estimatedMaxMs: 5 * MINUTE,
  },
  seedance_1_5_pro_1080p: {
    pollMinMs: 30 * SECOND,
    pollMaxMs: 60 * SECOND,
    estimatedMinMs: 3 * MINUTE,
    estimatedMaxMs: 8 * MINUTE,
  },
};

/** The offline (flex) tier: documented as 60-120 s polling and "longer" generation. */
export const FLEX_TIMING: ModelTiming = {
  pollMinMs: 60 * SECOND,
  pollMaxMs: 120 * SECOND,
  estimatedMinMs: 3 * MINUTE,
  estimatedMaxMs: 60 * MINUTE,
};

/**
 * A model we do not know yet (a future release) is polled conservatively rather than refused:
 * the 720p/1080p spacing, with no "too early to check" window.
 */
export const UNKNOWN_MODEL_TIMING: ModelTiming = {
  pollMinMs: 30 * SECOND,
  pollMaxMs: 60 * SECOND,
  estimatedMinMs: 0,
  estimatedMaxMs: 10 * MINUTE,
};

/** Never poll more often than this: the documented rate-limit floor. */
export const MIN_POLL_INTERVAL_MS = 10 * SECOND;

/** Task ids and video files are kept for one day. */
export const RETENTION_MS = 24 * 60 * MINUTE;

export function isKnownModel(model: string): model is SeedanceModel {
  return (SEEDANCE_MODELS as readonly string[]).includes(model);
}

/**
 * The timing of a task: by the reseller's model name (which carries the resolution), else by the
 * resolution a provider reports apart from the model (ModelArk's `seedance-1-5-pro-251215` at
 * `720p` is timed as `seedance_1_5_pro_720p`), else the conservative default.
 */
export function timingFor(
  model: string | undefined,
  serviceTier: ServiceTier = 'default',
  resolution?: string,
): ModelTiming {
  if (serviceTier === 'flex') return FLEX_TIMING;
  if (model !== undefined && isKnownModel(model)) return MODEL_TIMINGS[model];
  const byResolution = resolution === undefined ? undefined : `seedance_1_5_pro_${resolution}`;
  if (byResolution !== undefined && isKnownModel(byResolution)) return MODEL_TIMINGS[byResolution];
  return UNKNOWN_MODEL_TIMING;
}
