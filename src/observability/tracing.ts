/**
 * `seedance-temporal/tracing`: OpenTelemetry traces of the Seedance worker, through
 * `@temporalio/interceptors-opentelemetry` (its own entry point, so the root loads none of it):
 * a span for each workflow run, activity start and activity attempt, and a child span for each
 * HTTP call the activities make with undici (status reads, creates, the video download).
 *
 * - Embedding: pass `tracing: { resource, spanProcessor }` to `createSeedanceWorker` (or put
 *   {@link seedanceTracingPlugin} in your `Worker.create({ plugins })`); register your own tracer
 *   provider and, for the HTTP spans, {@link seedanceUndiciInstrumentation}.
 * - `npm run worker`: {@link startTracing} does all of that when the standard `OTEL_*`
 *   environment asks for traces (src/config.ts decides; the OTLP exporter and the batch span
 *   processor read their own `OTEL_EXPORTER_OTLP_*` / `OTEL_BSP_*` variables).
 *
 * Workflow spans need the interceptor modules inside the workflow bundle: a worker that bundles at
 * start gets them from the plugin; a prebuilt bundle must be built with the plugin too
 * (`bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, plugins: [seedanceTracingPlugin(tracing)] })`).
 *
 * The signed video URL is a credential: HTTP spans carry its origin and path, never its query.
 */
import { OTLPTraceExporter as OtlpGrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation, type UndiciRequest } from '@opentelemetry/instrumentation-undici';
import { Resource, envDetectorSync } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { TracingConfig } from './tracing-config';
import type { SeedanceTracing } from './tracing-plugin';

export { seedanceTracingPlugin, type SeedanceTracing } from './tracing-plugin';

export type { OtlpProtocol, TracingConfig } from './tracing-config';

export interface StartedTracing {
  tracing: SeedanceTracing;
  /** Flushes the spans not yet exported and stops the exporter: call it before the process exits. */
  shutdown(): Promise<void>;
}

/**
 * Registers a global tracer provider that exports as `config` says, and the undici
 * instrumentation; returns what `createSeedanceWorker({ tracing })` takes. Once per process.
 */
export function startTracing(config: TracingConfig): StartedTracing {
  const resource = tracingResource(config);
  const spanProcessor = new BatchSpanProcessor(spanExporterFor(config));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register(); // the context manager that parents HTTP spans under activity spans, and W3C propagation
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [seedanceUndiciInstrumentation()],
  });
  return {
    tracing: { spanProcessor, resource },
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
}

/**
 * The spans' resource: `service.name` from `config` (OTEL_SERVICE_NAME, default seedance-worker),
 * then what `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_SERVICE_NAME` say (the specification's order: a
 * `service.name` in OTEL_RESOURCE_ATTRIBUTES counts unless OTEL_SERVICE_NAME is set).
 */
export function tracingResource(config: TracingConfig): Resource {
  return new Resource({ 'service.name': config.serviceName }).merge(envDetectorSync.detect());
}

/**
 * The exporter `config` names. The OTLP exporters read their own `OTEL_EXPORTER_OTLP_*` endpoint,
 * headers, timeout and compression variables.
 */
export function spanExporterFor(config: TracingConfig): SpanExporter {
  if (config.exporter === 'console') return new ConsoleSpanExporter();
  switch (config.protocol) {
    case 'http/protobuf':
      return new OtlpProtobufTraceExporter();
    case 'http/json':
      return new OtlpJsonTraceExporter();
    case 'grpc':
      return new OtlpGrpcTraceExporter();
  }
}

/**
 * Spans for the HTTP calls made with undici (the package's HTTP client), with the query string of
 * every URL replaced before the span starts: a signed video URL's query is its signature.
 */
export function seedanceUndiciInstrumentation(): UndiciInstrumentation {
  return new UndiciInstrumentation({
    startSpanHook: (request: UndiciRequest) => redactedUrlAttributes(request.origin, request.path),
  });
}

/** The `url.full` and `url.query` attributes of a request, without the query's content. */
export function redactedUrlAttributes(origin: string, path: string): Record<string, string> {
  let url: URL;
  try {
    url = new URL(path, origin);
  } catch {
    return { 'url.full': 'REDACTED', 'url.query': 'REDACTED' };
  }
  const hasQuery = url.search !== '';
  return {
    'url.full': `${url.origin}${url.pathname}${hasQuery ? '?REDACTED' : ''}`,
    'url.query': hasQuery ? '?REDACTED' : '',
  };
}
