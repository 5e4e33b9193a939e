/**
 * The Seedance test stack of `src/testing/harness.ts` (simulator plus a worker running the real
 * workflows and activities), on the workflow bundle that test/global-setup.ts builds once per run.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { inject } from 'vitest';
import type { AnySimulator, CommonSimulatorOptions } from '../../src/simulator';
import {
  seedanceWorkflowBundle,
  startModelArkTestStack,
  startSeedanceTestStack,
  TEST_API_KEY,
  type SeedanceTestStack,
  type SeedanceTestStackOptions,
} from '../../src/testing/harness';
import { onModelArk } from './provider';
import { until } from './wait';

// Workers log every state change at INFO; tests want only what went wrong.
Runtime.install({ logger: new DefaultLogger('ERROR') });

/** The key the simulator accepts and the harness's workers send. */
export const SIM_KEY = TEST_API_KEY;

export type Harness = SeedanceTestStack;
export type HarnessOptions = Omit<SeedanceTestStackOptions, 'workflowBundle'>;

let bundlePromise: Promise<WorkflowBundle> | undefined;

/**
 * The workflow bundle of this test run: read once per test file from the file test/global-setup.ts
 * writes (waiting for it while the build runs); built in this process when the global setup built
 * none (another config, or a file it did not recognise as starting workers).
 */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundlePromise ??= readGlobalBundle();
  return bundlePromise;
}

async function readGlobalBundle(): Promise<WorkflowBundle> {
  const file = await globalBundleFile();
  return file ? { code: await fs.readFile(file, 'utf8') } : seedanceWorkflowBundle();
}

/** The file test/global-setup.ts writes the bundle to, once written; undefined when it builds none. */
async function globalBundleFile(): Promise<string | undefined> {
  const provided = inject('workflowBundle');
  if (!provided) return undefined;
  const readable = (file: string) =>
    fs.access(file).then(
      () => true,
      () => false,
    );
  await until(
    async () => (await readable(provided.file)) || (await readable(provided.errorFile)),
    180_000,
    'the workflow bundle',
  );
  if (await readable(provided.errorFile)) {
    throw new Error(
      `bundling the workflows failed (test/global-setup.ts): ${await fs.readFile(provided.errorFile, 'utf8')}`,
    );
  }
  return provided.file;
}

let bundleFilePromise: Promise<string> | undefined;

/**
 * The run's workflow bundle as a file, for worker processes (`SEEDANCE_WORKFLOW_BUNDLE`): the one
 * test/global-setup.ts wrote, or this process's bundle written to a temp file.
 */
export function workflowBundleFile(): Promise<string> {
  bundleFilePromise ??= (async () => {
    const provided = await globalBundleFile();
    if (provided) return provided;
    const { code } = await workflowBundle();
    const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-bundle-')), 'workflows.js');
    await fs.writeFile(file, code);
    return file;
  })();
  return bundleFilePromise;
}

/** The Seedance stack on the run's workflow bundle; `close()` stops it. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  return startSeedanceTestStack({ ...options, workflowBundle: await workflowBundle() });
}

/** The stack of the provider under test (test/helpers/provider.ts): either simulator mode. */
export type ProviderHarness = SeedanceTestStack<AnySimulator>;
export type ProviderHarnessOptions = Omit<HarnessOptions, 'simulator'> & {
  /** Options both simulator modes take; the API key is {@link SIM_KEY}. */
  simulator?: Omit<CommonSimulatorOptions, 'apiKey'>;
};

/**
 * The Seedance stack of the provider under test (`SEEDANCE_TEST_PROVIDER`) on the run's workflow
 * bundle: {@link startHarness} on the reseller, `startModelArkTestStack` on ModelArk.
 */
export async function startProviderHarness(options: ProviderHarnessOptions): Promise<ProviderHarness> {
  const bundle = await workflowBundle();
  return onModelArk
    ? startModelArkTestStack({ ...options, workflowBundle: bundle })
    : startSeedanceTestStack({ ...options, workflowBundle: bundle });
}
