/**
 * ModelArk callbacks against polling, on a real dev server with the simulator's ModelArk mode:
 * N `generateSeedanceVideo` runs of 480p tasks that finish 3 s after creation (the simulator's
 * `fast` profile), once with callbacks (the
 * simulator calls a receiver, which signals `checkNow`) and once without. Prints, per mode, the
 * detection lag (task completion in the simulator to `downloadVideo` scheduled in the history:
 * p50, p95, max), the status reads per video and the history events per run. Not pass/fail.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { deriveCallbackSecret } from '../src/callbacks/callback-url';
import { startCallbackReceiver } from '../src/callbacks/receiver';
import { createTemporalSignaler } from '../src/callbacks/signaler';
import { statusChanges } from '../src/simulator/modelark/tasks';
import { startDevServer } from '../src/testing/dev-server';
import { TEST_API_KEY, startModelArkTestStack } from '../src/testing/harness';
import { installQuietRuntime } from './workflows';

export async function benchCallbacks(count = 20): Promise<void> {
  installQuietRuntime();
  const server = await startDevServer({ headless: true });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    for (const callbacks of [true, false]) await runMode(client, nativeConnection, count, callbacks);
  } finally {
    await connection.close();
    await nativeConnection.close();
    await server.stop();
  }
}

async function runMode(client: Client, nativeConnection: NativeConnection, count: number, callbacks: boolean) {
  const secret = deriveCallbackSecret(TEST_API_KEY);
  const signaler = createTemporalSignaler({ client });
  const receiver = callbacks
    ? await startCallbackReceiver({ host: '127.0.0.1', port: 0, secret, signaler, logger: quiet })
    : undefined;
  const h = await startModelArkTestStack({
    connection: nativeConnection,
    client,
    simulator: { callbackTickMs: 50 },
    ...(receiver ? { callback: { url: receiver.url, secret } } : {}),
  });
  try {
    const runs = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const handle = await client.workflow.start('generateSeedanceVideo', {
          taskQueue: h.taskQueue,
          workflowId: `bench-callbacks-${callbacks ? 'on' : 'off'}-${Date.now()}-${i}`,
          args: [
            {
              request: {
                model: 'seedance-1-5-pro-251215',
                resolution: '480p',
                content: [{ type: 'text', text: `bench video ${i}` }],
              },
            },
          ],
        });
        const result = await handle.result();
        return { handle, taskId: result.taskId };
      }),
    );
    const lags: number[] = [];
    const reads: number[] = [];
    const events: number[] = [];
    for (const { handle, taskId } of runs) {
      const history = await handle.fetchHistory();
      const scheduled = history.events?.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'downloadVideo',
      );
      const scheduledMs = Number(scheduled!.eventTime!.seconds) * 1000 + Math.floor(scheduled!.eventTime!.nanos! / 1e6);
      lags.push(scheduledMs - statusChanges(h.sim.getTask(taskId)!).at(-1)!.atMs);
      reads.push(h.sim.requests.filter((r) => r.kind === 'status' && r.taskId === taskId).length);
      events.push(history.events?.length ?? 0);
    }
    const sorted = [...lags].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      `modelark ${callbacks ? 'with callbacks   ' : 'polling only     '}: ${count} videos, completion to download start ` +
        `p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${sorted.at(-1)} ms; status reads per video mean ${mean(reads).toFixed(2)}, ` +
        `max ${Math.max(...reads)}; history events per run mean ${mean(events).toFixed(1)}`,
    );
  } finally {
    await h.close();
    await receiver?.close();
    await signaler.drain();
  }
}

const quiet = { debug() {}, info() {}, warn() {} };
