/**
 * Scenario 24 (docs/reliability-scenarios.md), the replay guard. `histories/` holds real histories
 * of every main path, captured by `npm run capture-histories` (see scripts/capture-histories.ts for
 * when to add new ones). Each must replay against the current workflow bundle without error; and
 * each must fail with a DeterminismViolationError against deliberately changed copies of the
 * workflows, which proves the replay would catch such a change.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { historyFromJson, type History } from '../../src/testing/history';
import { workflowBundle } from '../helpers/harness';

const HISTORIES = path.join(__dirname, 'histories');

/** The paths the fixtures must cover (file names without the version label). */
const REQUIRED_PATHS = [
  'await-completed-720p',
  'await-remote-failed',
  'await-cancel-signal',
  'await-workflow-cancel',
  'await-check-now',
  'await-timed-out',
  'await-rate-limited-and-flaky',
  'generate-create-rate-limited',
  'generate-create-outcome-unknown',
  'await-continue-as-new-run1',
  'await-continue-as-new-run2',
  'generate-continue-as-new-run1',
  'generate-continue-as-new-run2',
  'await-completed-search-attributes',
  'await-check-now-search-attributes',
  'await-cancel-signal-search-attributes',
  'await-continue-as-new-search-attributes-run1',
  'await-continue-as-new-search-attributes-run2',
];

interface Fixture {
  name: string;
  history: History;
}

let fixtures: Fixture[];

beforeAll(async () => {
  const names = (await fs.readdir(HISTORIES)).filter((f) => f.endsWith('.json')).sort();
  fixtures = await Promise.all(
    names.map(async (name) => ({
      name,
      history: historyFromJson(await fs.readFile(path.join(HISTORIES, name), 'utf8')),
    })),
  );
});

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function changedBundle(file: string, asInterceptor: boolean): Promise<WorkflowBundle> {
  const modulePath = path.join(__dirname, 'changed', file);
  return bundleWorkflowCode({
    workflowsPath: modulePath,
    ...(asInterceptor ? { workflowInterceptorModules: [modulePath] } : {}),
    logger: quiet,
  });
}

/** Replays every fixture; the error (or undefined) per file name. */
async function replayAll(bundle: WorkflowBundle): Promise<Map<string, Error | undefined>> {
  const errors = new Map<string, Error | undefined>();
  const results = Worker.runReplayHistories(
    { workflowBundle: bundle },
    fixtures.map((f) => ({ workflowId: f.name, history: f.history })),
  );
  for await (const result of results) errors.set(result.workflowId, result.error);
  return errors;
}

function scheduled(history: History): string[] {
  return (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
}

function hasEvent(history: History, attribute: 'markerRecordedEventAttributes'): boolean {
  return (history.events ?? []).some((e) => e[attribute]);
}

describe('replay of the committed histories', () => {
  it('covers every main path, with and without search attributes, and across continue-as-new', () => {
    const paths = fixtures.map((f) => f.name.replace(/^[^-]+-/, '').replace(/\.json$/, ''));
    expect(paths).toEqual(expect.arrayContaining(REQUIRED_PATHS));
    const upserts = fixtures.filter((f) =>
      (f.history.events ?? []).some((e) => e.upsertWorkflowSearchAttributesEventAttributes),
    );
    expect(upserts.length).toBeGreaterThanOrEqual(3);
    // Runs of the current code, with and without an API budget (activities on the `-api` queue).
    const onApiQueue = fixtures.filter((f) =>
      (f.history.events ?? []).some((e) => e.activityTaskScheduledEventAttributes?.taskQueue?.name?.endsWith('-api')),
    );
    expect(onApiQueue.length).toBeGreaterThanOrEqual(REQUIRED_PATHS.length - 2);
  });

  it('replays every history against the current workflow code without error', async () => {
    const errors = await replayAll(await workflowBundle());
    expect(errors.size).toBe(fixtures.length);
    const failed = [...errors]
      .filter(([, error]) => error !== undefined)
      .map(([name, error]) => `${name}: ${error!.message}`);
    expect(failed).toEqual([]);
  });

  it('a timer added before the first check breaks every history', async () => {
    const errors = await replayAll(await changedBundle('timer-before-first-check.ts', false));
    for (const fixture of fixtures) {
      expect(errors.get(fixture.name), fixture.name).toBeInstanceOf(DeterminismViolationError);
    }
  });

  it('removing the local activity that asks the worker breaks every history that recorded it, and only those', async () => {
    const errors = await replayAll(await changedBundle('search-attribute-check-removed.ts', true));
    const withMarker = fixtures.filter((f) => hasEvent(f.history, 'markerRecordedEventAttributes'));
    const without = fixtures.filter((f) => !hasEvent(f.history, 'markerRecordedEventAttributes'));
    expect(withMarker.length).toBeGreaterThan(0);
    expect(without.length).toBeGreaterThan(0); // runs after continue-as-new never ask
    for (const fixture of withMarker)
      expect(errors.get(fixture.name), fixture.name).toBeInstanceOf(DeterminismViolationError);
    for (const fixture of without) expect(errors.get(fixture.name), fixture.name).toBeUndefined();
  });

  it('renaming the checkStatus activity breaks every history that scheduled it, and only those', async () => {
    const errors = await replayAll(await changedBundle('check-renamed.ts', true));
    const checked = fixtures.filter((f) => scheduled(f.history).includes('checkStatus'));
    const unchecked = fixtures.filter((f) => !scheduled(f.history).includes('checkStatus'));
    expect(unchecked.length).toBeGreaterThan(0); // the lost create response fails before any check
    for (const fixture of checked)
      expect(errors.get(fixture.name), fixture.name).toBeInstanceOf(DeterminismViolationError);
    for (const fixture of unchecked) expect(errors.get(fixture.name), fixture.name).toBeUndefined();
  });
});
