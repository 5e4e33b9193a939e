/** The production worker built from its configuration (`src/config.ts`): `npm run worker` and the benchmarks' workers. */
import { NativeConnection, Runtime, makeTelemetryFilterString, type WorkerOptions } from '@temporalio/worker';
import type { WorkerConfig } from './config';
import { createSeedanceWorker, type SeedanceWorker } from './create-worker';
import type { VideoTaskProvider } from './seedance/provider';
import { createProvider } from './seedance/create-provider';
import { startCallbackReceiver } from './callbacks/receiver';
import { createTemporalSignaler } from './callbacks/signaler';

/** The SDK runtime: core logs at WARN, and the Prometheus endpoint when configured. Once per process. */
export function installWorkerRuntime(config: WorkerConfig): void {
  Runtime.install({
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      ...(config.prometheusAddress ? { metrics: { prometheus: { bindAddress: config.prometheusAddress } } } : {}),
    },
  });
}

/** The Seedance worker `config` describes, on `connection`; `workerOptions` are applied last (benchmarks). */
export function createWorkerFromConfig(
  config: WorkerConfig,
  connection: NativeConnection,
  workerOptions?: Partial<WorkerOptions>,
): Promise<SeedanceWorker> {
  return createSeedanceWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    provider: providerFromConfig(config),
    output: config.output,
    download: config.download,
    shutdownGraceTimeMs: config.shutdownGraceTimeMs,
    schedule: config.schedule,
    ...(config.apiRequestsPerSecond ? { apiRequestsPerSecond: config.apiRequestsPerSecond } : {}),
    ...(config.workflowBundlePath ? { workflowBundle: { codePath: config.workflowBundlePath } } : {}),
    ...(workerOptions ? { workerOptions } : {}),
  });
}

/** The provider `SEEDANCE_PROVIDER` names, with the API key, base URL, timeout and callback URL. */
export function providerFromConfig(config: WorkerConfig): VideoTaskProvider {
  const callbackUrl = config.callbacks?.url;
  return createProvider({
    provider: config.provider,
    ...config.seedance,
    ...(callbackUrl ? { callback: { url: callbackUrl, secret: config.callbacks!.secret } } : {}),
  });
}

/**
 * The callback receiver inside the worker process, when `SEEDANCE_CALLBACK_LISTEN` is set: it
 * signals `checkNow` over the worker's own connection. Undefined when not configured.
 */
export async function startCallbackReceiverFromConfig(
  config: WorkerConfig,
  connection: NativeConnection,
): Promise<{ url: string; close(): Promise<void> } | undefined> {
  const listen = config.callbacks?.listen;
  if (!listen) return undefined;
  const at = listen.lastIndexOf(':');
  const signaler = createTemporalSignaler({ connection, namespace: config.temporal.namespace });
  const receiver = await startCallbackReceiver({
    host: listen.slice(0, at),
    port: Number(listen.slice(at + 1)),
    path: config.callbacks!.path,
    secret: config.callbacks!.secret,
    signaler,
  });
  return {
    url: receiver.url,
    // A signal given up on may still be retried on the connection: let it end before the connection closes.
    close: () => receiver.close().then(() => signaler.drain()),
  };
}
