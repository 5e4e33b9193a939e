/**
 * What `OTEL_*` asks of the worker's traces (src/config.ts reads it; src/observability/tracing.ts
 * acts on it). Apart from tracing.ts so that reading the configuration loads no OpenTelemetry.
 */

/** `OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`: the OTLP transports of the specification. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export type TracingConfig =
  | {
      /**
       * OTLP to `OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT` (default http://localhost:4318 over HTTP,
       * http://localhost:4317 over gRPC), in the protocol asked (default `http/protobuf`).
       */
      exporter: 'otlp';
      protocol: OtlpProtocol;
      /** `OTEL_SERVICE_NAME`. */
      serviceName: string;
    }
  | {
      /** Spans printed on stdout. */
      exporter: 'console';
      serviceName: string;
    };
