/**
 * What a traced Seedance worker takes (`createSeedanceWorker({ tracing })`): the SDK's
 * OpenTelemetry plugin over your span processor and resource. Apart from src/observability/tracing.ts
 * so a worker without traces never loads the OTLP exporter or the undici instrumentation.
 */
import type { Tracer } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';

/** Where spans go, and the resource they describe. */
export interface SeedanceTracing {
  /** Receives the workflow spans (through the plugin's sink); the activity spans go through your tracer provider. */
  spanProcessor: SpanProcessor;
  /** The resource of the workflow spans (`service.name`...): the one your tracer provider has. */
  resource: Resource;
  /** The tracer of the activity spans; default: the global tracer provider's. */
  tracer?: Tracer;
}

/**
 * The SDK's OpenTelemetry plugin for `Worker.create({ plugins })`, and for
 * `bundleWorkflowCode({ plugins })`: a prebuilt bundle has workflow spans only when built with it.
 */
export function seedanceTracingPlugin(tracing: SeedanceTracing): OpenTelemetryPlugin {
  return new OpenTelemetryPlugin(tracing);
}
