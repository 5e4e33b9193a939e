/**
 * The three OTLP transports of `OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`, each to a local receiver:
 * the exporter `startTracing` would make for the configuration (src/config.ts reads the
 * environment), one span exported and received as that protocol encodes it. The whole traced
 * worker is observability.test.ts (http/json, whose spans that test reads).
 */
import http from 'node:http';
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkerConfig } from '../../src/config';
import { spanExporterFor } from '../../src/observability/tracing';

interface Received {
  transport: 'http' | 'grpc';
  path: string;
  contentType: string | undefined;
  body: Buffer;
}

const received: Received[] = [];
let httpServer: http.Server;
let httpUrl: string;
let grpcServer: Server;
let grpcUrl: string;

/** The collector's gRPC method, with the request and response left as bytes (no .proto needed). */
const TRACE_SERVICE: ServiceDefinition = {
  Export: {
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    requestStream: false,
    responseStream: false,
    requestSerialize: (bytes: Buffer) => bytes,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: (bytes: Buffer) => bytes,
    responseDeserialize: (bytes: Buffer) => bytes,
  },
};

beforeAll(async () => {
  httpServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const contentType = req.headers['content-type'];
      received.push({ transport: 'http', path: req.url ?? '', contentType, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': contentType ?? 'application/json' }).end(
        contentType === 'application/json' ? '{}' : '', // an empty ExportTraceServiceResponse
      );
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  httpUrl = `http://127.0.0.1:${(httpServer.address() as { port: number }).port}`;

  grpcServer = new Server();
  const implementation: UntypedServiceImplementation = {
    Export: (call: { request: Buffer }, callback: (error: null, response: Buffer) => void) => {
      received.push({
        transport: 'grpc',
        path: TRACE_SERVICE.Export!.path,
        contentType: undefined,
        body: call.request,
      });
      callback(null, Buffer.alloc(0));
    },
  };
  grpcServer.addService(TRACE_SERVICE, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  grpcUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  grpcServer?.forceShutdown();
  await new Promise<void>((resolve) => (httpServer ? httpServer.close(() => resolve()) : resolve()));
});

/** The worker's configuration for `vars`, its exporter, and one span named `name` exported through it. */
async function exportOneSpan(vars: Record<string, string>, name: string): Promise<void> {
  const saved = { ...process.env };
  Object.assign(process.env, vars); // the OTLP exporters read their endpoint from the environment
  try {
    const config = loadWorkerConfig({
      TEMPORAL_CONFIG_FILE: '/nonexistent/seedance-test/temporal.toml',
      SEEDANCE_API_KEY: 'sk-FAKE-otlp-protocols',
      ...vars,
    }).tracing;
    expect(config).toBeDefined();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporterFor(config!))] });
    provider.getTracer('otlp-protocols-test').startSpan(name).end();
    await provider.forceFlush();
    await provider.shutdown();
  } finally {
    for (const key of Object.keys(vars)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

function receivedWith(name: string): Received[] {
  return received.filter((r) => r.body.includes(Buffer.from(name)));
}

describe('OTLP protocols', () => {
  it('http/protobuf, the default: protobuf bytes POSTed to <endpoint>/v1/traces', async () => {
    await exportOneSpan({ OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl }, 'span-over-protobuf');
    const [got, ...more] = receivedWith('span-over-protobuf');
    expect(more).toEqual([]);
    expect(got).toMatchObject({ transport: 'http', path: '/v1/traces', contentType: 'application/x-protobuf' });
  });

  it('http/json when asked: JSON whose span has the name', async () => {
    await exportOneSpan(
      { OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      'span-over-json',
    );
    const [got] = receivedWith('span-over-json');
    expect(got).toMatchObject({ transport: 'http', path: '/v1/traces', contentType: 'application/json' });
    const body = JSON.parse(got!.body.toString('utf8')) as {
      resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
    };
    expect(body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name).toBe('span-over-json');
  });

  it('grpc when the traces protocol asks, over the generic one: the collector service over HTTP/2', async () => {
    await exportOneSpan(
      {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: grpcUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
      },
      'span-over-grpc',
    );
    const [got, ...more] = receivedWith('span-over-grpc');
    expect(more).toEqual([]);
    expect(got).toMatchObject({ transport: 'grpc', path: TRACE_SERVICE.Export!.path });
  });
});
