/** The production worker built from its configuration (`src/config.ts`): `npm run worker` and the benchmarks' workers. */
import { NativeConnection, Runtime, makeTelemetryFilterString, type WorkerOptions } from '@temporalio/worker';
import type { WorkerConfig } from './config';
import { createSeedanceWorker, type SeedanceWorker } from './create-worker';
import type { VideoTaskProvider } from './seedance/provider';
import { createProvider } from './seedance/create-provider';
import { startCallbackReceiver } from './callbacks/receiver';
import { createTemporalSignaler } from './callbacks/signaler';
import { seedanceHistogramBuckets } from './observability/metrics';
import { startInFlightGauge } from './observability/in-flight';
import type { SeedanceTracing } from './observability/tracing-plugin';

/**
 * The SDK runtime: core logs at WARN, and the Prometheus endpoint when configured, with the
 * package's histograms in seconds (src/observability/metrics.ts). Once per process.
 */
export function installWorkerRuntime(config: WorkerConfig): void {
  const prometheus = config.prometheusAddress
    ? { bindAddress: config.prometheusAddress, histogramBucketOverrides: seedanceHistogramBuckets() }
    : undefined;
  Runtime.install({
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      ...(prometheus ? { metrics: { prometheus } } : {}),
    },
  });
}

/**
 * Traces when `OTEL_*` asks for them (a global tracer provider, the undici instrumentation), and
 * with the Prometheus endpoint the `seedance_videos_in_flight` gauge. `close()` flushes the spans.
 */
export async function startObservabilityFromConfig(
  config: WorkerConfig,
  connection: NativeConnection,
): Promise<{ tracing: SeedanceTracing | undefined; close(): Promise<void> }> {
  // Loaded only when traces are on: the OTLP exporter and the instrumentation are not small.
  const traces = config.tracing ? (await import('./observability/tracing.js')).startTracing(config.tracing) : undefined;
  const stopGauge = config.prometheusAddress
    ? startInFlightGauge({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        meter: Runtime.instance().metricMeter,
        onError: (error) =>
          console.error('seedance_videos_in_flight: visibility cannot count workflows:', errorMessage(error)),
      })
    : undefined;
  return {
    tracing: traces?.tracing,
    async close() {
      stopGauge?.();
      await traces?.shutdown();
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface WorkerFromConfigExtras {
  /** Applied last (the benchmarks' workers). */
  workerOptions?: Partial<WorkerOptions>;
  /** From {@link startObservabilityFromConfig}, when `OTEL_*` asks for traces. */
  tracing?: SeedanceTracing | undefined;
}

/** The Seedance worker `config` describes, on `connection`. */
export function createWorkerFromConfig(
  config: WorkerConfig,
  connection: NativeConnection,
  { workerOptions, tracing }: WorkerFromConfigExtras = {},
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
    ...(tracing ? { tracing } : {}),
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
