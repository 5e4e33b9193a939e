/**
 * End-to-end throughput on a real dev server: N concurrent awaitSeedanceVideo runs of tasks that
 * are already completed, so each run is one status check, one download of the sample MP4, and
 * the result. Real workflows, activities, worker and simulator. Prints wall time, workflows per
 * second, the p50/p95 start-to-result latency and history events per workflow; not pass/fail.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startDevServer } from '../src/testing/dev-server';
import { startSeedanceTestStack } from '../src/testing/harness';

export async function benchWorkflows(count = 50): Promise<void> {
  installQuietRuntime();
  const server = await startDevServer({ headless: true });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const h = await startSeedanceTestStack({ connection: nativeConnection, client });
  try {
    const tasks = await Promise.all(
      Array.from({ length: count }, () =>
        h.sim.addTask({ model: 'seedance_1_5_pro_720p', createdMs: Date.now() - 600_000 }),
      ),
    );
    const started = Date.now();
    const latencies = await Promise.all(
      tasks.map(async (t) => {
        const t0 = Date.now();
        const handle = await client.workflow.start('awaitSeedanceVideo', {
          taskQueue: h.taskQueue,
          workflowId: `seedance-${t.id}`,
          args: [{ taskId: t.id }],
        });
        await handle.result();
        return Date.now() - t0;
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
    const history = await client.workflow.getHandle(`seedance-${tasks[0]!.id}`).fetchHistory();
    console.log(
      `workflows: ${count} concurrent completed-task runs in ${seconds.toFixed(1)} s, ${(count / seconds).toFixed(1)} workflows/s, ` +
        `latency p50 ${pct(50)} ms p95 ${pct(95)} ms, ${history.events?.length ?? 0} history events per run`,
    );
  } finally {
    await h.close();
    await connection.close();
    await nativeConnection.close();
    await server.stop();
  }
}

let runtimeInstalled = false;

/** Workers log every state change at INFO; a benchmark prints only its figures and what went wrong. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  runtimeInstalled = true;
}
