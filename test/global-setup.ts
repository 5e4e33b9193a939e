import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { findTemporalCli, findTestServer } from '../src/testing/binaries';

/**
 * Before any test file runs: finds (or installs once) the Temporal binaries, and bundles the
 * workflow code once for the whole run, so the test files' workers skip webpack (2-3 s per file on
 * two cores). The bundle is built in the background, while the first files start their servers,
 * and written to a temp file that `workflowBundle()` in test/helpers/harness.ts reads (waiting for
 * it if need be). A run without a file that starts the harness (unit tests) builds nothing.
 */
export default async function setup(project: TestProject) {
  const [temporalCli, testServer] = await Promise.all([findTemporalCli(), findTestServer()]);
  project.provide('temporalCliPath', temporalCli ?? null);
  project.provide('testServerPath', testServer ?? null);

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-bundle-'));
  let builds = 0;
  let building = Promise.resolve();
  const build = async (testFiles: string[]) => {
    await building;
    if (!(await anyStartsWorkers(testFiles))) {
      project.provide('workflowBundle', null);
      return;
    }
    const file = path.join(dir, `workflows-${++builds}.js`);
    project.provide('workflowBundle', { file, errorFile: `${file}.error` });
    // After the first run (watch mode), the workflow code may have changed: bundle it again.
    building = writeBundle(file, builds > 1);
  };
  await build((await project.globTestFiles(project.config.filters)).testFiles);
  project.onTestsRerun((specifications) => build(specifications.map((s) => s.moduleId)));

  return async () => {
    await building;
    await fs.rm(dir, { recursive: true, force: true });
  };
}

/** Imports that start workers on the package's workflows: in-process ones, or worker processes. */
const WORKER_HELPERS = ["helpers/harness'", "helpers/worker-process'", "helpers/crash-stack'"];

/**
 * Whether a test file starts workers on the package's workflows, judged by its import of a
 * helper that does. A file this misses still runs: `workflowBundle()` then bundles in its own process.
 */
async function anyStartsWorkers(testFiles: string[]): Promise<boolean> {
  for (const file of testFiles) {
    const source = await fs.readFile(file, 'utf8');
    if (WORKER_HELPERS.some((helper) => source.includes(helper))) return true;
  }
  return false;
}

/** Writes the bundle to `file` in one rename (readers never see half of it), or the error to `<file>.error`. */
async function writeBundle(file: string, fresh: boolean): Promise<void> {
  try {
    // Loaded only when a bundle is needed: the worker SDK and webpack take about a second to load
    // (a dynamic import, hence the ESM spelling `.js`, which Vite resolves to the .ts file).
    const { seedanceWorkflowBundle } = await import('../src/testing/harness.js');
    const { code } = await seedanceWorkflowBundle({ fresh });
    await fs.writeFile(`${file}.tmp`, code);
    await fs.rename(`${file}.tmp`, file);
  } catch (error) {
    await fs.writeFile(`${file}.error`, error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}
