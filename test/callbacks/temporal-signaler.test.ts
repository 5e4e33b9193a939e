/**
 * The Temporal signaler and the receiver against a real dev server. The target workflows are
 * started on a task queue no worker polls: a running-but-unworked workflow accepts signals, and
 * they show in its history as WorkflowExecutionSignaled with their input.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedCallbackUrl } from '../../src/callbacks/callback-url';
import { startCallbackReceiver } from '../../src/callbacks/receiver';
import { createTemporalSignaler, type CallbackSignaler } from '../../src/callbacks/signaler';
import type { CheckNowInput } from '../../src/contract/types';
import { createDevServerForTest, type TestDevServer } from '../helpers/temporal';

const SECRET = 'temporal-signaler-test-secret-0123456789';
const UNWORKED_QUEUE = 'callbacks-test-nobody-polls';

let server: TestDevServer | undefined;
let connection: Connection;
let nativeConnection: NativeConnection;
let client: Client;

beforeAll(async () => {
  server = await createDevServerForTest({ searchAttributes: false });
  connection = await Connection.connect({ address: server.address });
  nativeConnection = await NativeConnection.connect({ address: server.address });
  client = new Client({ connection, namespace: server.namespace });
});

afterAll(async () => {
  await connection?.close();
  await nativeConnection?.close();
  await server?.dispose();
});

function startUnworked(workflowId = `callbacks-${randomUUID()}`): Promise<WorkflowHandle> {
  return client.workflow.start('notRegisteredAnywhere', { taskQueue: UNWORKED_QUEUE, workflowId, args: [] });
}

async function checkNowSignalsOf(handle: WorkflowHandle): Promise<unknown[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map((event) => event.workflowExecutionSignaledEventAttributes)
    .filter((signaled) => signaled?.signalName === 'checkNow')
    .map((signaled) => defaultPayloadConverter.fromPayload(signaled!.input!.payloads![0]!));
}

const INPUT: CheckNowInput = { source: 'callback', taskId: 'cgt-20260828062711-hj94q', status: 'completed' };

describe('createTemporalSignaler on a dev server', () => {
  const signalers: Array<[string, () => CallbackSignaler]> = [
    ['a Client', () => createTemporalSignaler({ client })],
    ['a client Connection', () => createTemporalSignaler({ connection, namespace: server!.namespace })],
    [
      "the worker's NativeConnection",
      () => createTemporalSignaler({ connection: nativeConnection, namespace: server!.namespace }),
    ],
  ];

  it.each(signalers)('signals checkNow with its input through %s', async (_, make) => {
    const handle = await startUnworked();
    await expect(make().signal(handle.workflowId, INPUT)).resolves.toBe('sent');
    expect(await checkNowSignalsOf(handle)).toEqual([INPUT]);
  });

  it.each(signalers)('answers not-found for an unknown or closed workflow through %s', async (_, make) => {
    const closed = await startUnworked();
    await closed.terminate('test');
    await expect(make().signal(`seedance-cgt-${randomUUID()}`, INPUT)).resolves.toBe('not-found');
    await expect(make().signal(closed.workflowId, INPUT)).resolves.toBe('not-found');
  });

  it('relays a signed callback over HTTP into the workflow history', async () => {
    const handle = await startUnworked('my-generate-run-7');
    const receiver = await startCallbackReceiver({
      host: '127.0.0.1',
      port: 0,
      secret: SECRET,
      signaler: createTemporalSignaler({ client }),
      logger: { debug() {}, info() {}, warn() {} },
    });
    try {
      const url = signedCallbackUrl(receiver.url, handle.workflowId, SECRET);
      const body = JSON.stringify({ id: INPUT.taskId, status: 'succeeded', content: { video_url: 'https://v' } });
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => fetch(url, { method: 'POST', body }).then((r) => r.status)),
      );
      expect(answers).toEqual([200, 200, 200, 200, 200]);
      expect(await checkNowSignalsOf(handle)).toEqual([INPUT]);
    } finally {
      await receiver.close();
    }
  });

  // Last: it stops the server.
  it('gives up within its timeout once Temporal is gone, and the receiver answers 503', async () => {
    const handle = await startUnworked();
    await server!.stop();
    const viaClient = createTemporalSignaler({ client, timeoutMs: 1_000 });
    let started = Date.now();
    await expect(viaClient.signal(handle.workflowId, INPUT)).rejects.toThrow();
    await viaClient.drain(); // the client's own retries end at the deadline too
    expect(Date.now() - started).toBeLessThan(2_500);

    // The native connection retries each call for about 10 s whatever the deadline: the timer bounds it.
    const viaNative = createTemporalSignaler({ connection: nativeConnection, namespace: 'default', timeoutMs: 1_000 });
    const receiver = await startCallbackReceiver({
      host: '127.0.0.1',
      port: 0,
      secret: SECRET,
      signaler: viaNative,
      logger: { debug() {}, info() {}, warn() {} },
    });
    try {
      started = Date.now();
      const body = JSON.stringify({ id: INPUT.taskId, status: 'failed' });
      const response = await fetch(signedCallbackUrl(receiver.url, handle.workflowId, SECRET), {
        method: 'POST',
        body,
      });
      expect(response.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(receiver.stats.unavailable).toBe(1);
    } finally {
      await receiver.close();
    }
  });
});
