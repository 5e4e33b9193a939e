/**
 * The provider the reliability scenarios run against: the reseller API (the default) or BytePlus
 * ModelArk, chosen by `SEEDANCE_TEST_PROVIDER` (`npm run test:modelark` sets `modelark`). The
 * simulator has a mode for each; its request log, faults and file host are the same in both, so a
 * test needs from here only what the two say differently: the simulator, a task in the provider's
 * words, the API's base URL, the worker's configuration, and the model a result reports.
 *
 * Provider-neutral code (the file transfer, the storages) is tested once, on the reseller; see
 * "Which provider each scenario runs on" in docs/reliability-scenarios.md.
 */
import { it } from 'vitest';
import { ModelArkProvider } from '../../src/seedance/modelark/provider';
import { MODELARK_MODEL_ID } from '../../src/seedance/modelark/models';
import type { SeedanceClientOptions } from '../../src/seedance/client';
import type { ServiceTier } from '../../src/seedance/models';
import type { VideoTaskProvider } from '../../src/seedance/provider';
import {
  createSimulator,
  statusAt,
  statusChanges,
  type AnySimulator,
  type CommonSimulatorOptions,
  type ModelArkTask,
  type SimTask,
  type TaskTiming,
} from '../../src/simulator';

export type TestProviderName = 'reseller' | 'modelark';

function providerFromEnv(value: string | undefined): TestProviderName {
  if (value === undefined || value === '' || value === 'reseller') return 'reseller';
  if (value === 'modelark') return 'modelark';
  throw new Error(`SEEDANCE_TEST_PROVIDER=${value}: expected reseller or modelark`);
}

/** The provider under test in this run. */
export const PROVIDER: TestProviderName = providerFromEnv(process.env.SEEDANCE_TEST_PROVIDER);
export const onModelArk = PROVIDER === 'modelark';

export type Resolution = '480p' | '720p' | '1080p';

/** A simulated task in words both modes understand. */
export interface TestTaskInput {
  id?: string;
  /** Reseller: the model `seedance_1_5_pro_<resolution>`. ModelArk: the task's `resolution`. */
  resolution: Resolution;
  createdMs?: number;
  timing?: TaskTiming;
  /** What the task ends as; `failed` reports `error` as its message. */
  outcome?: 'completed' | 'failed';
  error?: string;
  serviceTier?: ServiceTier;
}

/** Adds the task to either mode of the simulator. */
export function addTask(sim: AnySimulator, task: TestTaskInput): Promise<SimTask | ModelArkTask> {
  const { resolution, ...rest } = task;
  return sim.provider === 'modelark'
    ? sim.addTask({ ...rest, resolution })
    : sim.addTask({ ...rest, model: resellerModel(resolution) });
}

/** The reseller's model name for a resolution: what generate requests name on both providers. */
export function resellerModel(resolution: Resolution): `seedance_1_5_pro_${Resolution}` {
  return `seedance_1_5_pro_${resolution}`;
}

/**
 * The model a task reports, so a result and the carried state name it: the reseller's name of the
 * resolution, or ModelArk's one Seedance 1.5 Pro id (the resolution is a field of its own there).
 */
export function reportedModel(sim: AnySimulator, resolution: Resolution): string {
  return sim.provider === 'modelark' ? MODELARK_MODEL_ID : resellerModel(resolution);
}

/** Whether the task reads as completed at `atMs` (simulator clock). */
export function completedAt(sim: AnySimulator, taskId: string, atMs: number): boolean {
  if (sim.provider === 'modelark') {
    const task = sim.getTask(taskId);
    const done = task && statusChanges(task).find((c) => c.status === 'succeeded');
    return done !== undefined && done.atMs <= atMs;
  }
  const task = sim.getTask(taskId);
  return task !== undefined && statusAt(task, atMs) === 'completed';
}

/** The simulator of the provider under test. */
export function createSimulatorUnderTest(options: CommonSimulatorOptions = {}): Promise<AnySimulator> {
  return onModelArk ? createSimulator({ ...options, provider: 'modelark' }) : createSimulator(options);
}

/** What a client takes as the API's base URL: the reseller's root, or ModelArk's `/api/v3`. */
export function apiBaseUrl(sim: AnySimulator): string {
  return sim.provider === 'modelark' ? sim.baseUrl : sim.url;
}

/**
 * The production worker's environment for this simulator's API (`SEEDANCE_PROVIDER` only for
 * ModelArk: the reseller worker runs with the default, as before).
 */
export function workerApiEnv(sim: AnySimulator): Record<string, string> {
  return sim.provider === 'modelark'
    ? { SEEDANCE_PROVIDER: 'modelark', SEEDANCE_BASE_URL: sim.baseUrl }
    : { SEEDANCE_BASE_URL: sim.url };
}

/**
 * `createSeedanceWorker`'s API option for this simulator with `apiKey`: the reseller client's
 * options, or a `ModelArkProvider`.
 */
export function workerApiOptions(
  sim: AnySimulator,
  apiKey: string,
): { seedance: SeedanceClientOptions } | { provider: VideoTaskProvider } {
  return sim.provider === 'modelark'
    ? { provider: new ModelArkProvider({ apiKey, baseUrl: sim.baseUrl, timeoutMs: 5_000 }) }
    : { seedance: { apiKey, baseUrl: sim.url, timeoutMs: 5_000 } };
}

/**
 * `it` for a provider-neutral scenario (the file transfer, the storage): it runs on the reseller and
 * is skipped on ModelArk, where it would test the same code again through another status read.
 */
export const itProviderNeutral: typeof it.skip = it.skipIf(onModelArk);
