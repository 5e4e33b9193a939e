/**
 * The pure parts of metrics and traces: which `OTEL_*` environment turns traces on, the URL
 * redaction of HTTP spans, the series catalogue and the in-flight visibility query. The whole
 * path (a real worker scraped and traced) is `npm run test:observability`.
 */
import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from '../src/config';
import { inFlightQuery } from '../src/observability/in-flight';
import { SERIES, seedanceHistogramBuckets, type SeriesSpec } from '../src/observability/metrics';
import { redactedUrlAttributes, tracingResource } from '../src/observability/tracing';

function tracing(vars: Record<string, string>) {
  return loadWorkerConfig({
    TEMPORAL_CONFIG_FILE: '/nonexistent/seedance-test/temporal.toml',
    SEEDANCE_API_KEY: 'sk-FAKE-observability',
    ...vars,
  }).tracing;
}

describe('traces from the OTEL_* environment', () => {
  it('are off without OTEL_* variables', () => {
    expect(tracing({})).toBeUndefined();
  });

  it('are on with an OTLP endpoint, under the default service name', () => {
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
      exporter: 'otlp',
      protocol: 'http/protobuf',
      serviceName: 'seedance-worker',
    });
    expect(tracing({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })?.exporter).toBe('otlp');
  });

  it('speak the protocol OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL asks, the traces one first', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' };
    expect(tracing({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toMatchObject({ protocol: 'grpc' });
    expect(tracing({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toMatchObject({ protocol: 'http/json' });
    expect(
      tracing({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }),
    ).toMatchObject({ protocol: 'grpc' });
    expect(() => tracing({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' })).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL must be one of http\/protobuf, http\/json, grpc/,
    );
  });

  it("describe the worker with OTEL_RESOURCE_ATTRIBUTES, whose service.name yields to OTEL_SERVICE_NAME's", () => {
    const saved = { ...process.env };
    try {
      delete process.env.OTEL_SERVICE_NAME;
      process.env.OTEL_RESOURCE_ATTRIBUTES = 'deployment.environment=staging,service.name=videos-from-attributes';
      const fromAttributes = tracingResource(tracing({ OTEL_TRACES_EXPORTER: 'console' })!).attributes;
      expect(fromAttributes).toMatchObject({
        'deployment.environment': 'staging',
        'service.name': 'videos-from-attributes',
      });
      process.env.OTEL_SERVICE_NAME = 'videos';
      const named = tracing({ OTEL_TRACES_EXPORTER: 'console', OTEL_SERVICE_NAME: 'videos' })!;
      expect(tracingResource(named).attributes).toMatchObject({
        'deployment.environment': 'staging',
        'service.name': 'videos',
      });
      delete process.env.OTEL_SERVICE_NAME;
      delete process.env.OTEL_RESOURCE_ATTRIBUTES;
      expect(tracingResource(tracing({ OTEL_TRACES_EXPORTER: 'console' })!).attributes['service.name']).toBe(
        'seedance-worker',
      );
    } finally {
      process.env = saved;
    }
  });

  it('follow OTEL_TRACES_EXPORTER and OTEL_SERVICE_NAME', () => {
    expect(tracing({ OTEL_TRACES_EXPORTER: 'console', OTEL_SERVICE_NAME: 'videos' })).toEqual({
      exporter: 'console',
      serviceName: 'videos',
    });
    expect(tracing({ OTEL_TRACES_EXPORTER: 'otlp' })?.exporter).toBe('otlp');
  });

  it('are off with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, whatever the endpoint', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(tracing({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(tracing({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('refuse an exporter the worker does not have, naming the variable', () => {
    expect(() => tracing({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(
      /OTEL_TRACES_EXPORTER must be otlp, console or none/,
    );
  });
});

describe('HTTP span URLs', () => {
  it("keep a signed URL's origin and path, never its query", () => {
    const attributes = redactedUrlAttributes(
      'https://files.example.com',
      '/v/task_1.mp4?X-Tos-Signature=abc&expires=9',
    );
    expect(attributes).toEqual({
      'url.full': 'https://files.example.com/v/task_1.mp4?REDACTED',
      'url.query': '?REDACTED',
    });
    expect(JSON.stringify(attributes)).not.toMatch(/abc|expires/);
  });

  it('leave a URL without a query as it is', () => {
    expect(redactedUrlAttributes('http://127.0.0.1:8080', '/api/v1/tasks/t1')).toEqual({
      'url.full': 'http://127.0.0.1:8080/api/v1/tasks/t1',
      'url.query': '',
    });
  });
});

describe('the series catalogue', () => {
  const specs = Object.values(SERIES) as SeriesSpec[];

  it('names every series seedance_*, once, with a description and bounded labels', () => {
    expect(new Set(specs.map((s) => s.name)).size).toBe(specs.length);
    for (const spec of specs) {
      expect(spec.name).toMatch(/^seedance_[a-z_]+$/);
      expect(spec.description.length).toBeGreaterThan(20);
      for (const label of spec.labels)
        expect(['status', 'model', 'outcome', 'failure_type', 'result', 'taskQueue']).toContain(label);
    }
  });

  it('gives every histogram increasing buckets in seconds, for the Prometheus exporter', () => {
    const buckets = seedanceHistogramBuckets();
    expect(Object.keys(buckets).sort()).toEqual(['seedance_download_seconds', 'seedance_video_completion_seconds']);
    for (const bounds of Object.values(buckets)) expect(bounds).toEqual([...bounds].sort((a, b) => a - b));
  });
});

it('counts the video workflows running on the task queue, quoting the queue name', () => {
  expect(inFlightQuery('seedance-video')).toBe(
    "TaskQueue = 'seedance-video' AND ExecutionStatus = 'Running' AND WorkflowType IN ('awaitSeedanceVideo', 'generateSeedanceVideo')",
  );
  expect(inFlightQuery("it's")).toContain("TaskQueue = 'it\\'s'");
});
