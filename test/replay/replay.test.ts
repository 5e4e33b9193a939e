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
import { GENERATE_BATCH_WORKFLOW_TYPE } from '../../src/contract/names';
import { historyFromJson, type History } from '../../src/testing/history';
import { workflowBundle } from '../helpers/harness';

const HISTORIES = path.join(__dirname, 'histories');

/** The reseller paths the fixtures must cover (file names without the version label). */
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

/**
 * The ModelArk paths the fixtures must cover. Their names repeat the reseller's where the path is
 * the same; the files differ by label (`<version>_modelark`), the histories by the provider recorded.
 */
const REQUIRED_MODELARK_PATHS = [
  'await-completed-720p',
  'generate-completed',
  'await-remote-failed',
  'await-expired',
  'await-cancel-signal-queued',
  'await-cancel-signal-running',
  'await-workflow-cancel-queued',
  'await-check-now-hints',
  'generate-callback',
  'await-continue-as-new-run1',
  'await-continue-as-new-run2',
];

/** The batch paths (`generateSeedanceVideos`; its children's own histories are the video paths above). */
const REQUIRED_BATCH_PATHS = [
  'batch-completed',
  'batch-continue-as-new-run1',
  'batch-continue-as-new-run2',
  'batch-workflow-cancel',
  'batch-cancel-signal',
];

type Provider = 'reseller' | 'modelark';

interface Fixture {
  /** The file name, `<label>-<path>.json`. */
  name: string;
  label: string;
  path: string;
  provider: Provider;
  /** The workflow type the history ran. */
  type: string;
  history: History;
}

let fixtures: Fixture[];

beforeAll(async () => {
  const names = (await fs.readdir(HISTORIES)).filter((f) => f.endsWith('.json')).sort();
  fixtures = await Promise.all(
    names.map(async (name) => {
      const history = historyFromJson(await fs.readFile(path.join(HISTORIES, name), 'utf8'));
      const [label, ...rest] = name.replace(/\.json$/, '').split('-');
      const type = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
      return { name, label: label!, path: rest.join('-'), provider: recordedProvider(history), type, history };
    }),
  );
});

function decode(payload: { data?: Uint8Array | null } | null | undefined): unknown {
  return payload?.data ? JSON.parse(Buffer.from(payload.data).toString('utf8')) : undefined;
}

/**
 * The provider a run recorded: in the worker settings it asked for (the local activity's marker),
 * or, after continue-as-new, in the state it was handed. Runs from before providers: the reseller.
 */
function recordedProvider(history: History): Provider {
  for (const event of history.events ?? []) {
    const input = decode(event.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]) as
      { resume?: { provider?: { name?: Provider } } } | undefined;
    if (input?.resume?.provider?.name) return input.resume.provider.name;
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') continue;
    const result = decode(marker.details?.result?.payloads?.[0]) as { provider?: { name?: Provider } } | undefined;
    if (result?.provider?.name) return result.provider.name;
  }
  return 'reseller';
}

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function changedBundle(file: string, asInterceptor: boolean): Promise<WorkflowBundle> {
  const modulePath = path.join(__dirname, 'changed', file);
  return bundleWorkflowCode({
    workflowsPath: modulePath,
    ...(asInterceptor ? { workflowInterceptorModules: [modulePath] } : {}),
    logger: quiet,
  });
}

/** Replays the fixtures (default: every one); the error (or undefined) per file name. */
async function replayAll(
  bundle: WorkflowBundle,
  which: readonly Fixture[] = fixtures,
): Promise<Map<string, Error | undefined>> {
  const errors = new Map<string, Error | undefined>();
  // Replayed one after another, in order: the n-th result is the n-th fixture's (ids may repeat across runs).
  const results = Worker.runReplayHistories(
    { workflowBundle: bundle },
    which.map((f) => ({ workflowId: replayWorkflowId(f), history: f.history })),
  );
  let index = 0;
  for await (const result of results) errors.set(which[index++]!.name, result.error);
  return errors;
}

/**
 * The id to replay a fixture under. A batch derives its children's ids from its own, so it replays
 * under the id it ran with (its first child's id without `/item-<n>`); the video workflows under
 * the file name, which names a failing replay in the logs.
 */
function replayWorkflowId(fixture: Fixture): string {
  if (fixture.type !== GENERATE_BATCH_WORKFLOW_TYPE) return fixture.name;
  const child = fixture.history.events?.find((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)
    ?.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
  return child?.replace(/\/item-\d+$/, '') ?? fixture.name;
}

function batchFixtures(): Fixture[] {
  return fixtures.filter((f) => f.type === GENERATE_BATCH_WORKFLOW_TYPE);
}

/**
 * The video fixtures of the newest version (every provider, with and without an API budget):
 * enough to show that the replay would catch each deliberate change to the video workflows, at
 * half the replays of all of them. Every fixture, old ones included, is replayed against the real
 * code above.
 */
function newestFixtures(): Fixture[] {
  const version = (label: string) => label.split('_')[0]!;
  const videos = fixtures.filter((f) => f.type !== GENERATE_BATCH_WORKFLOW_TYPE);
  const newest = videos
    .map((f) => version(f.label))
    .sort(compareVersions)
    .at(-1);
  return videos.filter((f) => version(f.label) === newest);
}

function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.replace(/^v/, '').split('.').map(Number);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function scheduled(history: History): string[] {
  return (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
}

/** Whether the run asked the worker (a local activity's marker; patch markers do not count). */
function askedTheWorker(history: History): boolean {
  return (history.events ?? []).some((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
}

describe('replay of the committed histories', () => {
  it('covers every main path of both providers, with and without search attributes, and across continue-as-new', () => {
    const pathsOf = (provider: Provider) => fixtures.filter((f) => f.provider === provider).map((f) => f.path);
    expect(pathsOf('reseller')).toEqual(expect.arrayContaining(REQUIRED_PATHS));
    expect(pathsOf('modelark')).toEqual(expect.arrayContaining(REQUIRED_MODELARK_PATHS));
    expect(batchFixtures().map((f) => f.path)).toEqual(expect.arrayContaining(REQUIRED_BATCH_PATHS));
    // The paths share names, so the label keeps the providers' files apart.
    for (const f of fixtures) expect(f.label.endsWith('_modelark'), f.name).toBe(f.provider === 'modelark');
    // Our own upserts: every run since the api-task-queue patch also upserts TemporalChangeVersion.
    const upserts = fixtures.filter((f) =>
      (f.history.events ?? []).some(
        (e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.SeedanceStatus,
      ),
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

  it('a timer added before the first check breaks every history, the batches included', async () => {
    const probes = [...newestFixtures(), ...batchFixtures()];
    expect(batchFixtures().length).toBeGreaterThan(0);
    const errors = await replayAll(await changedBundle('timer-before-first-check.ts', false), probes);
    for (const fixture of probes) {
      expect(errors.get(fixture.name), fixture.name).toBeInstanceOf(DeterminismViolationError);
    }
  });

  it('removing the local activity that asks the worker breaks every history that recorded it, and only those', async () => {
    const probes = newestFixtures();
    const errors = await replayAll(await changedBundle('search-attribute-check-removed.ts', true), probes);
    const withMarker = probes.filter((f) => askedTheWorker(f.history));
    const without = probes.filter((f) => !askedTheWorker(f.history));
    expect(withMarker.length).toBeGreaterThan(0);
    expect(without.length).toBeGreaterThan(0); // runs after continue-as-new never ask
    for (const fixture of withMarker)
      expect(errors.get(fixture.name), fixture.name).toBeInstanceOf(DeterminismViolationError);
    for (const fixture of without) expect(errors.get(fixture.name), fixture.name).toBeUndefined();
  });

  it('renaming the checkStatus activity breaks every history that scheduled it, and only those', async () => {
    const probes = newestFixtures();
    const errors = await replayAll(await changedBundle('check-renamed.ts', true), probes);
    const checked = probes.filter((f) => scheduled(f.history).includes('checkStatus'));
    const unchecked = probes.filter((f) => !scheduled(f.history).includes('checkStatus'));
    expect(unchecked.length).toBeGreaterThan(0); // the lost create response fails before any check
    for (const fixture of checked)
      expect(errors.get(fixture.name), fixture.name).toBeInstanceOf(DeterminismViolationError);
    for (const fixture of unchecked) expect(errors.get(fixture.name), fixture.name).toBeUndefined();
  });

  it('removing the remote cancel after a cancel breaks every history that stopped a queued task, and only those', async () => {
    const probes = newestFixtures();
    const errors = await replayAll(await changedBundle('remote-cancel-removed.ts', true), probes);
    const stopped = probes.filter((f) => scheduled(f.history).includes('cancelRemoteTask'));
    const others = probes.filter((f) => !scheduled(f.history).includes('cancelRemoteTask'));
    expect(stopped.map((f) => f.path)).toEqual(
      expect.arrayContaining(['await-cancel-signal-queued', 'await-workflow-cancel-queued']),
    );
    // A ModelArk task already rendering is left alone: that cancel sends nothing, and still replays.
    expect(others.map((f) => `${f.provider} ${f.path}`)).toContain('modelark await-cancel-signal-running');
    for (const fixture of stopped)
      expect(errors.get(fixture.name), fixture.name).toBeInstanceOf(DeterminismViolationError);
    for (const fixture of others) expect(errors.get(fixture.name), fixture.name).toBeUndefined();
  });
});
