/**
 * Completion times for the polling benchmark: a seeded RNG and four distributions per model, all
 * in seconds from the task's creation. Pure (no clock, no Temporal), so the oracle can draw as many
 * as it likes from the same law the benchmark's tasks come from.
 */
import { MODEL_TIMINGS, type SeedanceModel } from '../../src/seedance/models';

/** The distributions the Temporal benchmark runs. */
export const DISTRIBUTIONS = ['uniform', 'long-tail', 'slow', 'concentrated'] as const;
/**
 * Wider variants (the first session's `long-tail` and `slow`), kept for the offline comparison: no
 * task has a floor there, so even the oracle spends more than half of fixed polling's calls.
 */
export const WIDE_DISTRIBUTIONS = ['long-tail-wide', 'slow-wide'] as const;
export type DistributionName = (typeof DISTRIBUTIONS)[number] | (typeof WIDE_DISTRIBUTIONS)[number];

/** A typical total time per model: the simulator's `realtime` profile (queued + render). */
const TYPICAL_S: Record<SeedanceModel, number> = {
  seedance_1_5_pro_480p: 60,
  seedance_1_5_pro_720p: 210,
  seedance_1_5_pro_1080p: 330,
};

/** No task finishes faster than this in any distribution. */
const FLOOR_S = 5;

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function standardNormal(random: () => number): number {
  const u = 1 - random(); // (0, 1]: log stays finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** The documented estimate range of a model, seconds. */
export function documentedRange(model: SeedanceModel): { min: number; max: number } {
  const t = MODEL_TIMINGS[model];
  return { min: t.estimatedMinMs / 1000, max: t.estimatedMaxMs / 1000 };
}

/** How each distribution is drawn, in words for the report. */
export function describeDistribution(name: DistributionName): string {
  switch (name) {
    case 'uniform':
      return 'uniform over the documented estimate range';
    case 'long-tail':
      return 'the documented min plus a lognormal wait: median a third of the documented range past min, 99th percentile at 2.5x max; redrawn above 3x max';
    case 'slow':
      return 'the documented range 1.5x slower: uniform over 1.5x min to 1.5x max';
    case 'long-tail-wide':
      return 'lognormal with no floor, median sqrt(min x max) of the documented range, 99th percentile at 3x max; redrawn above 3x max';
    case 'slow-wide':
      return 'uniform over 1.5x min to 2.5x max of the documented range';
    case 'concentrated':
      return 'normal around the simulator realtime profile (480p 60 s, 720p 210 s, 1080p 330 s), sigma 5% of the documented range';
  }
}

/** One completion time, seconds after creation. */
export function drawCompletionS(model: SeedanceModel, name: DistributionName, random: () => number): number {
  const { min, max } = documentedRange(model);
  switch (name) {
    case 'uniform':
      return min + (max - min) * random();
    case 'long-tail': {
      // A render cannot beat its compute time (the documented min); the wait past it is skewed.
      const median = (max - min) / 3;
      const sigma = Math.log((2.5 * max - min) / median) / 2.326;
      for (;;) {
        const t = min + median * Math.exp(sigma * standardNormal(random));
        if (t <= 3 * max) return t;
      }
    }
    case 'slow':
      return 1.5 * (min + (max - min) * random());
    case 'long-tail-wide': {
      const median = Math.sqrt(min * max);
      const sigma = Math.log((3 * max) / median) / 2.326;
      for (;;) {
        const t = median * Math.exp(sigma * standardNormal(random));
        if (t <= 3 * max && t >= FLOOR_S) return t;
      }
    }
    case 'slow-wide':
      return 1.5 * min + (2.5 * max - 1.5 * min) * random();
    case 'concentrated':
      return Math.max(FLOOR_S, TYPICAL_S[model] + 0.05 * (max - min) * standardNormal(random));
  }
}

export function drawCompletionsS(model: SeedanceModel, name: DistributionName, count: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => drawCompletionS(model, name, random));
}
