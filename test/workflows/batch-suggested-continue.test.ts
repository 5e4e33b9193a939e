/**
 * `generateSeedanceVideos` continues as new when the server suggests it, not only past its own
 * event limit: a dev server told to suggest continue-as-new at 40 history events
 * (`limit.historyCount.suggestContinueAsNew`), a batch with no test limit of its own. The children
 * are cut short with `checkNow` (the simulator renders instantly), so it takes seconds of real time.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { batchStatusQuery, checkNowSignal, statusQuery } from '../../src/contract/definitions';
import { GENERATE_BATCH_WORKFLOW_TYPE } from '../../src/contract/names';
import type { BatchItem } from '../../src/contract/types';
import { ONE_PARTITION_PER_QUEUE } from '../../src/testing/dev-server';
import type { generateSeedanceVideos } from '../../src/workflows/batch';
import { startHarness, type Harness } from '../helpers/harness';
import { events, runsOf } from '../helpers/history';
import { createDevServerForTest, type TestDevServer } from '../helpers/temporal';
import { sleep } from '../helpers/wait';
import { uniqueId } from '../helpers/workflows';

const SUGGEST_AT_EVENTS = 40;
const ITEMS = 8;

let server: TestDevServer;
let nativeConnection: NativeConnection;
let connection: Connection;
let h: Harness;

beforeAll(async () => {
  server = await createDevServerForTest({
    dynamicConfig: { ...ONE_PARTITION_PER_QUEUE, 'limit.historyCount.suggestContinueAsNew': SUGGEST_AT_EVENTS },
  });
  nativeConnection = await NativeConnection.connect({ address: server.address });
  connection = await Connection.connect({ address: server.address });
  h = await startHarness({
    connection: nativeConnection,
    client: new Client({ connection, namespace: server.namespace }),
    namespace: server.namespace,
    simulator: { timingFor: () => ({ queuedMs: 0, renderMs: 0 }) },
  });
});

afterAll(async () => {
  await h?.close();
  await connection?.close();
  await nativeConnection?.close();
  await server?.dispose();
});

it('continues as new on the server suggestion, each item started and created exactly once', async () => {
  const tag = uniqueId('suggested');
  const items: BatchItem[] = Array.from({ length: ITEMS }, (_, i) => ({
    request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: `${tag} clip ${i}` }] },
  }));
  const handle = await h.client.workflow.start<typeof generateSeedanceVideos>(GENERATE_BATCH_WORKFLOW_TYPE, {
    workflowId: uniqueId('batch-suggested'),
    taskQueue: h.taskQueue,
    args: [{ items, maxConcurrent: 2 }],
  });
  let done = false;
  const result = handle.result().finally(() => (done = true));
  // Each child's first wait is the schedule's timer (10 s or more): its video is ready, check now.
  const signalled = new Set<number>();
  while (!done && signalled.size < ITEMS) {
    for (let index = 0; index < ITEMS; index++) {
      if (signalled.has(index)) continue;
      const child = h.client.workflow.getHandle(`${handle.workflowId}/item-${index}`);
      const status = await child.query(statusQuery).catch(() => undefined);
      if (status?.phase !== 'waiting' || !status.taskId) continue;
      await child.signal(checkNowSignal, { taskId: status.taskId });
      signalled.add(index);
    }
    await sleep(100);
  }
  const value = await result;

  expect(value).toMatchObject({ total: ITEMS, completed: ITEMS, failed: 0, cancelled: 0 });
  const runs = await runsOf(h.client, handle.workflowId, handle.firstExecutionRunId);
  expect(runs.length).toBeGreaterThanOrEqual(2);
  for (const run of runs.slice(0, -1)) {
    const all = events(run.history);
    // The server's suggestion, not a limit of ours, ended the run: it came with a workflow task.
    expect(all.some((e) => e.workflowTaskStartedEventAttributes?.suggestContinueAsNew)).toBe(true);
    expect(all.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
  }
  const initiated = runs.flatMap((run) =>
    events(run.history).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []),
  );
  expect([...initiated].sort()).toEqual([...Array(ITEMS).keys()].map((i) => `${handle.workflowId}/item-${i}`).sort());
  const creates = h.sim.requests.filter((r) =>
    r.createRequest?.content.some((c) => c.type === 'text' && c.text.startsWith(`${tag} `)),
  );
  expect(creates).toHaveLength(ITEMS);
  const status = await handle.query(batchStatusQuery);
  expect(status).toMatchObject({ run: runs.length, counts: { completed: ITEMS } });
  console.log(
    `server-suggested continue-as-new at ${SUGGEST_AT_EVENTS} events: ${ITEMS} items over ${runs.length} runs ` +
      `(${runs.map((run) => events(run.history).length).join(', ')} events)`,
  );
});
