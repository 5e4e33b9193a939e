/**
 * How long a simulated task stays queued and then processing, per model. `realtime` follows the
 * documented estimates (shared/seedance-api.md); `fast` keeps demos and tests to a few seconds.
 */
import type { SeedanceModel, ServiceTier } from '../seedance/models';

/** Queued for `queuedMs` after creation, processing until `queuedMs + renderMs`, then the outcome. */
export interface TaskTiming {
  queuedMs: number;
  renderMs: number;
}

/** Timings by model name; the `default` key (or the fast default) covers models we do not know. */
export type TimingTable = Partial<Record<string, TaskTiming>>;
export type SimulatorProfile = 'fast' | 'realtime' | TimingTable;

type FullTable = Readonly<Record<SeedanceModel | 'default', TaskTiming>>;

const S = 1000;

export const FAST_PROFILE: FullTable = {
  seedance_1_5_pro_480p: { queuedMs: 1 * S, renderMs: 2 * S },
  seedance_1_5_pro_720p: { queuedMs: 1 * S, renderMs: 3 * S },
  seedance_1_5_pro_1080p: { queuedMs: 1 * S, renderMs: 4 * S },
  default: { queuedMs: 1 * S, renderMs: 3 * S },
};

export const REALTIME_PROFILE: FullTable = {
  seedance_1_5_pro_480p: { queuedMs: 10 * S, renderMs: 50 * S }, // ~1 min
  seedance_1_5_pro_720p: { queuedMs: 20 * S, renderMs: 190 * S }, // ~3.5 min
  seedance_1_5_pro_1080p: { queuedMs: 30 * S, renderMs: 300 * S }, // ~5.5 min
  default: { queuedMs: 20 * S, renderMs: 190 * S },
};

/** The flex (offline) tier is documented only as "longer"; we take about three times as long. */
export const FLEX_FACTOR = 3;

export function isProfileName(value: string): value is 'fast' | 'realtime' {
  return value === 'fast' || value === 'realtime';
}

export function resolveTiming(profile: SimulatorProfile, model: string, tier: ServiceTier = 'default'): TaskTiming {
  const table: TimingTable =
    profile === 'realtime' ? REALTIME_PROFILE : profile === 'fast' ? FAST_PROFILE : { ...FAST_PROFILE, ...profile };
  const base = table[model] ?? table.default ?? FAST_PROFILE.default;
  if (tier !== 'flex') return { ...base };
  return { queuedMs: base.queuedMs * FLEX_FACTOR, renderMs: base.renderMs * FLEX_FACTOR };
}
