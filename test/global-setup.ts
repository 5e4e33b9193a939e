import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { findTemporalCli, findTestServer } from '../src/testing/binaries';

/** Finds (or installs once, before any test file runs) the Temporal binaries and hands their paths to the tests. */
export default async function setup(project: TestProject) {
  const [temporalCli, testServer] = await Promise.all([findTemporalCli(), findTestServer()]);
  project.provide('temporalCliPath', temporalCli ?? null);
  project.provide('testServerPath', testServer ?? null);
}
