/**
 * `generateSeedanceVideos` on the time-skipping server against the simulator: the concurrency
 * limit read back from the batch's history (children initiated and closed), every outcome in input
 * order with one forced failure, continue-as-new losing and repeating no item, and cancel.
 */
import { promises as fs } from 'node:fs';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenerateSeedanceVideos } from '../../src/client/start';
import { cancelSignal, batchStatusQuery } from '../../src/contract/definitions';
import { FailureType } from '../../src/contract/failures';
import type { BatchItem, GenerateSeedanceVideosInput, SeedanceBatchStatus } from '../../src/contract/types';
import type { TestOnlyInput } from '../../src/testing/test-only-input';
import { workflowFailure } from '../helpers/assertions';
import { startHarness, workflowBundle, type Harness } from '../helpers/harness';
import { events, runsOf, type History } from '../helpers/history';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { until } from '../helpers/wait';
import { uniqueId } from '../helpers/workflows';

let env: TestWorkflowEnvironment;
let h: Harness;

/** Creates whose prompt holds this word end `failed` (the simulator's outcome for that task). */
const FAIL_WORD = 'FAILME';
/** Creates whose prompt holds this word render for 2 simulated hours: still waiting when a test cancels. */
const SLOW_WORD = 'SLOWLY';

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  h = await startHarness({
    env,
    simulator: {
      timingFor: ({ prompt }) => (prompt.includes(SLOW_WORD) ? { queuedMs: 0, renderMs: 7_200_000 } : undefined),
    },
  });
  h.sim.onRequest = (entry) => {
    const prompt = entry.createRequest?.content.find((c) => c.type === 'text')?.text ?? '';
    if (entry.taskId && prompt.includes(FAIL_WORD)) h.sim.setOutcome(entry.taskId, 'failed', 'simulated refusal');
  };
});

afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

/** Batch histories the tests recorded, replayed at the end against the current workflow bundle. */
const recorded: Array<{ workflowId: string; history: History }> = [];

type BatchTestInput = GenerateSeedanceVideosInput & TestOnlyInput;

function prompts(tag: string, count: number, word = ''): BatchItem[] {
  return Array.from({ length: count }, (_, i) => ({
    request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: `${tag} clip ${i} ${word}`.trim() }] },
  }));
}

/** Through the typed starter, as a client would. */
function startBatch(client: Client, input: BatchTestInput, workflowId = uniqueId('batch')) {
  return startGenerateSeedanceVideos(client, input, { workflowId, taskQueue: h.taskQueue });
}

/** Creates the simulator saw for prompts starting with `tag`. */
function createsOf(tag: string): string[] {
  return h.sim.requests
    .map((r) => r.createRequest?.content.find((c) => c.type === 'text')?.text)
    .filter((text): text is string => text?.startsWith(`${tag} `) ?? false);
}

/** The child workflow ids a history initiated, in order, and the most that were open at once. */
function childrenIn(history: History): { initiated: string[]; maxOpen: number } {
  const initiated: string[] = [];
  let open = 0;
  let maxOpen = 0;
  for (const e of events(history)) {
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      initiated.push(e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId ?? '');
      open += 1;
      maxOpen = Math.max(maxOpen, open);
    }
    const closed =
      e.childWorkflowExecutionCompletedEventAttributes ??
      e.childWorkflowExecutionFailedEventAttributes ??
      e.childWorkflowExecutionCanceledEventAttributes ??
      e.childWorkflowExecutionTerminatedEventAttributes ??
      e.childWorkflowExecutionTimedOutEventAttributes ??
      e.startChildWorkflowExecutionFailedEventAttributes;
    if (closed) open -= 1;
  }
  return { initiated, maxOpen };
}

describe('generateSeedanceVideos on the time-skipping server', () => {
  it('runs 50 prompts at most 10 at once, reports every outcome in order, and one failure fails only its item', async () => {
    const tag = uniqueId('fifty');
    const items = prompts(tag, 50);
    items[17] = {
      request: { ...items[17]!.request, content: [{ type: 'text', text: `${tag} clip 17 ${FAIL_WORD}` }] },
    };
    items[3] = { ...items[3]!, fileName: `${tag}-three.mp4` };
    const handle = await startBatch(h.client, { items, maxConcurrent: 10 });
    const result = await handle.result();

    expect(result).toMatchObject({ total: 50, completed: 49, failed: 1, cancelled: 0 });
    expect(result.items.map((o) => o.index)).toEqual([...Array(50).keys()]);
    const failed = result.items[17]!;
    expect(failed).toMatchObject({ phase: 'failed', workflowId: `${handle.workflowId}/item-17` });
    expect(failed.phase === 'failed' && failed.failure.type).toBe(FailureType.TaskFailed);
    expect(failed.phase === 'failed' && failed.failure.message).toContain('simulated refusal');
    for (const outcome of result.items.filter((o) => o.index !== 17)) {
      expect(outcome.phase).toBe('completed');
      if (outcome.phase === 'completed') expect(outcome.result.video.sha256).toBe(h.sim.videoSha256);
    }
    const three = result.items[3]!;
    expect(three.phase === 'completed' && three.result.video.uri.endsWith(`/${tag}-three.mp4`)).toBe(true);
    expect(createsOf(tag)).toHaveLength(50);

    // From the batch's own history: never more than 10 children between initiated and closed.
    const history = await handle.fetchHistory();
    const children = childrenIn(history);
    console.log(`50 items, at most 10 at once: ${events(history).length} history events in the batch`);
    expect(children.maxOpen).toBe(10);
    expect(new Set(children.initiated).size).toBe(50);
    recorded.push({ workflowId: handle.workflowId, history });

    const status: SeedanceBatchStatus = await handle.query(batchStatusQuery);
    expect(status).toMatchObject({
      total: 50,
      maxConcurrent: 10,
      run: 1,
      counts: { pending: 0, running: 0, completed: 49, failed: 1, cancelled: 0 },
    });
    expect(await fs.readdir(`${h.outputDir}/.seedance-partial`)).toEqual([]);
    const batch = await handle.describe();
    expect(await batch.staticSummary()).toBe('Seedance batch: 50 videos, at most 10 at once');
    expect(await batch.staticDetails()).toContain('- Models: `seedance_1_5_pro_480p` (50)');
    const child = await h.client.workflow.getHandle(`${handle.workflowId}/item-3`).describe();
    expect(await child.staticSummary()).toBe(`Seedance 480p: ${tag} clip 3`);
    expect(await child.staticDetails()).toContain(`- Batch: \`${handle.workflowId}\`, item 3 (4 of 50)`);
  });

  it('continues as new without losing an item or starting one twice', async () => {
    const tag = uniqueId('continue');
    const handle = await startBatch(h.client, {
      items: prompts(tag, 16),
      maxConcurrent: 3,
      historyEventsBeforeContinue: 25,
    });
    const result = await handle.result();

    expect(result).toMatchObject({ total: 16, completed: 16, failed: 0, cancelled: 0 });
    expect(result.items.map((o) => o.index)).toEqual([...Array(16).keys()]);
    const runs = await runsOf(h.client, handle.workflowId, handle.firstExecutionRunId);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const perRun = runs.map((run) => childrenIn(run.history));
    for (const run of perRun) expect(run.maxOpen).toBeLessThanOrEqual(3);
    const initiated = perRun.flatMap((run) => run.initiated);
    expect([...initiated].sort()).toEqual([...Array(16).keys()].map((i) => `${handle.workflowId}/item-${i}`).sort());
    expect(createsOf(tag)).toHaveLength(16);
    const carried = runs.slice(0, -1).map((run) => {
      const attributes = events(run.history).at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
      return attributes?.input?.payloads?.[0]?.data?.length ?? 0;
    });
    console.log(`continue-as-new inputs of 16 items over ${runs.length} runs: ${carried.join(', ')} bytes`);
    recorded.push(...runs.map((run) => ({ workflowId: handle.workflowId, history: run.history })));
    const status = await handle.query(batchStatusQuery);
    expect(status.run).toBe(runs.length);
    expect(status.counts.completed).toBe(16);
  });

  it('never starts an item twice: a re-run under the same batch id reports its items already started', async () => {
    const tag = uniqueId('rerun');
    const first = await startBatch(h.client, { items: prompts(tag, 2) });
    expect(await first.result()).toMatchObject({ completed: 2 });
    const again = await startBatch(h.client, { items: prompts(tag, 2) }, first.workflowId);
    const result = await again.result();
    expect(result).toMatchObject({ total: 2, completed: 0, failed: 2 });
    for (const item of result.items) {
      expect(item).toMatchObject({ phase: 'failed', workflowId: null });
      expect(item.phase === 'failed' && item.failure.type).toBe('WorkflowExecutionAlreadyStartedError');
    }
    expect(createsOf(tag)).toHaveLength(2);
  });

  it('refuses a bad item with SeedanceInvalidInput before starting any child', async () => {
    const tag = uniqueId('invalid');
    const items: unknown[] = prompts(tag, 3);
    items[2] = { request: { model: 'seedance_1_5_pro_480p', content: [] } };
    const handle = await startBatch(h.client, { items: items as BatchItem[] });
    const failure = await workflowFailure(handle.result());
    expect(failure.type).toBe(FailureType.InvalidInput);
    expect(failure.message).toContain('items[2].request');
    expect(childrenIn(await handle.fetchHistory()).initiated).toEqual([]);

    const tooMany = await startBatch(h.client, { items: prompts(tag, 2), maxConcurrent: 0 });
    expect((await workflowFailure(tooMany.result())).message).toContain('maxConcurrent');
  });

  it('cancels its running children and reports every unfinished item cancelled', async () => {
    const tag = uniqueId('cancel');
    const handle = await startBatch(h.client, { items: prompts(tag, 5, SLOW_WORD), maxConcurrent: 2 });
    // Both running children have created their task and wait for the next check.
    await until(() => createsOf(tag).length === 2, 20_000, 'two creates');
    await until(async () => (await handle.query(batchStatusQuery)).counts.running === 2, 20_000, 'two running');
    await handle.cancel();

    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const status = await handle.query(batchStatusQuery);
    expect(status.counts).toEqual({ pending: 0, running: 0, completed: 0, failed: 0, cancelled: 5 });
    expect(status.items.map((o) => (o.phase === 'cancelled' ? o.workflowId : 'not cancelled'))).toEqual([
      `${handle.workflowId}/item-0`,
      `${handle.workflowId}/item-1`,
      null,
      null,
      null,
    ]);
    for (const index of [0, 1]) {
      const child = await h.client.workflow.getHandle(`${handle.workflowId}/item-${index}`).describe();
      expect(child.status.name).toBe('CANCELLED');
    }
    expect(createsOf(tag)).toHaveLength(2);
    recorded.push({ workflowId: handle.workflowId, history: await handle.fetchHistory() });
  });

  it('stops the same way on its cancel signal, failing with SeedanceWorkflowCancelled', async () => {
    const tag = uniqueId('signal');
    const handle = await startBatch(h.client, { items: prompts(tag, 3, SLOW_WORD), maxConcurrent: 2 });
    await until(async () => (await handle.query(batchStatusQuery)).counts.running === 2, 20_000, 'two running');
    await handle.signal(cancelSignal, { reason: 'wrong prompts' });

    const failure = await workflowFailure(handle.result());
    expect(failure.type).toBe(FailureType.WorkflowCancelled);
    expect(failure.message).toContain('wrong prompts');
    expect(failure.message).toContain('3 of 3 items cancelled');
    const status = await handle.query(batchStatusQuery);
    expect(status.counts.cancelled).toBe(3);
    recorded.push({ workflowId: handle.workflowId, history: await handle.fetchHistory() });
  });

  it('replays every batch history recorded above, continue-as-new runs and the cancelled one included', async () => {
    expect(recorded.length).toBeGreaterThanOrEqual(5);
    const replays = Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, recorded);
    for await (const replay of replays) expect(replay.error, replay.workflowId).toBeUndefined();
  });
});
