/**
 * The worker's configuration: read from the environment once, at start, validated into a typed
 * object. Nothing below this module reads `process.env`. Error messages name the variable and
 * what is wrong with it, never its value (it could be a secret).
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { z } from 'zod';
import { DEFAULT_BASE_URL } from './seedance/client';
import { MODELARK_BASE_URL } from './seedance/modelark/client';
import type { ProviderName } from './seedance/provider';
import { deriveCallbackSecret } from './callbacks/callback-url';
import { DEFAULT_CALLBACK_PATH } from './callbacks/receiver';
import { DEFAULT_TASK_QUEUE } from './contract/names';
import { DEFAULT_DOWNLOAD_POLICY, type DownloadPolicy } from './activities/dependencies';
import { OTLP_PROTOCOLS, type TracingConfig } from './observability/tracing-config';

/** The default base URL of each provider's API. */
export const DEFAULT_BASE_URLS: Readonly<Record<ProviderName, string>> = {
  reseller: DEFAULT_BASE_URL,
  modelark: MODELARK_BASE_URL,
};

export interface CallbackConfig {
  /** The public URL the provider calls (`SEEDANCE_CALLBACK_URL`); creates send it, signed per workflow. */
  url: string | undefined;
  /** Where this process receives callbacks (`SEEDANCE_CALLBACK_LISTEN`, host:port). */
  listen: string | undefined;
  /** The path the receiver serves (`SEEDANCE_CALLBACK_PATH`, default `/seedance/callback`). */
  path: string;
  /** Signs the workflow id in callback URLs (`SEEDANCE_CALLBACK_SECRET`, or derived from the API key). */
  secret: string;
}

export interface WorkerConfig {
  /** Which API the worker calls (`SEEDANCE_PROVIDER`). */
  provider: ProviderName;
  seedance: { apiKey: string; baseUrl: string; timeoutMs: number };
  /** Present when callbacks are sent or received. */
  callbacks: CallbackConfig | undefined;
  output: string;
  download: DownloadPolicy;
  temporal: { connection: NativeConnectionOptions; namespace: string; taskQueue: string };
  shutdownGraceTimeMs: number;
  prometheusAddress: string | undefined;
  /** OpenTelemetry traces, when the standard `OTEL_*` variables ask for them; undefined: off. */
  tracing: TracingConfig | undefined;
  /** Requests per second to the provider's API for the whole fleet; undefined: no budget. */
  apiRequestsPerSecond: number | undefined;
  /** A workflow bundle built ahead (`bundleWorkflowCode`); undefined: bundle at start. */
  workflowBundlePath: string | undefined;
  /** How new runs space their checks (`SEEDANCE_SCHEDULE`). */
  schedule: 'documented' | 'adaptive';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .positive('must be positive');

const hostPort = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9464')
  .refine((v) => Number(v.split(':')[1]) >= 1 && Number(v.split(':')[1]) <= 65535, 'has a port outside 1-65535');

const httpUrl = z
  .string()
  .url('must be a URL')
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

const otlpProtocol = z.enum(OTLP_PROTOCOLS, { message: `must be one of ${OTLP_PROTOCOLS.join(', ')}` });

const envSchema = z.object({
  SEEDANCE_PROVIDER: z.enum(['reseller', 'modelark'], { message: 'must be reseller or modelark' }).default('reseller'),
  SEEDANCE_API_KEY: z.string().min(1, 'is empty').optional(),
  SEEDANCE_BASE_URL: httpUrl.optional(),
  SEEDANCE_CALLBACK_URL: httpUrl.optional(),
  SEEDANCE_CALLBACK_LISTEN: hostPort.optional(),
  SEEDANCE_CALLBACK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  SEEDANCE_CALLBACK_PATH: z
    .string()
    .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/, 'must be a URL path starting with "/"')
    .default(DEFAULT_CALLBACK_PATH),
  SEEDANCE_OUTPUT: z.string().min(1, 'is empty').default('./videos'),
  SEEDANCE_ALLOW_PRIVATE_URLS: booleanFlag.default(false),
  SEEDANCE_REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  SEEDANCE_MAX_VIDEO_BYTES: positiveInt.default(DEFAULT_DOWNLOAD_POLICY.maxBytes),
  SEEDANCE_SHUTDOWN_GRACE_MS: positiveInt.default(30_000),
  SEEDANCE_PROMETHEUS_ADDRESS: hostPort.optional(),
  SEEDANCE_WORKFLOW_BUNDLE: z.string().min(1, 'is empty').optional(),
  SEEDANCE_API_RPS: z.coerce
    .number({ message: 'must be a number' })
    .positive('must be positive')
    .max(10_000, 'must be at most 10000')
    .optional(),
  SEEDANCE_SCHEDULE: z
    .enum(['documented', 'adaptive'], { message: 'must be documented or adaptive' })
    .default('adaptive'),
  TEMPORAL_TASK_QUEUE: z.string().min(1, 'is empty').default(DEFAULT_TASK_QUEUE),
  OTEL_SDK_DISABLED: booleanFlag.default(false),
  OTEL_TRACES_EXPORTER: z
    .enum(['otlp', 'console', 'none'], { message: 'must be otlp, console or none (the worker supports these)' })
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol.optional(),
  OTEL_SERVICE_NAME: z.string().min(1, 'is empty').default('seedance-worker'),
});

export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  // Every problem at once: a person fixing their environment should not have to rerun per variable.
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
  const provider: ProviderName = parsed.success ? parsed.data.SEEDANCE_PROVIDER : 'reseller';
  const baseUrl = present.SEEDANCE_BASE_URL ?? DEFAULT_BASE_URLS[provider];
  const isLocal = isLoopbackHttp(baseUrl);
  if (!present.SEEDANCE_API_KEY && !isLocal) problems.push('SEEDANCE_API_KEY is required (the Seedance API key)');
  if (parsed.success && baseUrl.startsWith('http://') && !isLocal) {
    problems.push('SEEDANCE_BASE_URL must be https (http only for a local simulator on 127.0.0.1/localhost)');
  }
  const callbackUrl = present.SEEDANCE_CALLBACK_URL;
  if (callbackUrl && provider !== 'modelark') {
    problems.push('SEEDANCE_CALLBACK_URL needs SEEDANCE_PROVIDER=modelark (the reseller API documents no callbacks)');
  }
  if (parsed.success && callbackUrl?.startsWith('http://') && !isLoopbackHttp(callbackUrl)) {
    problems.push('SEEDANCE_CALLBACK_URL must be https (http only on 127.0.0.1/localhost, for a local simulator)');
  }
  let temporal: ReturnType<typeof loadClientConnectConfig>;
  try {
    temporal = loadClientConnectConfig({ overrideEnvVars: present as Record<string, string> });
  } catch (error) {
    problems.push(`Temporal connection settings (TEMPORAL_*): ${error instanceof Error ? error.message : 'invalid'}`);
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const apiKey = e.SEEDANCE_API_KEY ?? 'sim-key';
  const callbacksUsed = e.SEEDANCE_CALLBACK_URL !== undefined || e.SEEDANCE_CALLBACK_LISTEN !== undefined;
  return {
    provider,
    seedance: { apiKey, baseUrl, timeoutMs: e.SEEDANCE_REQUEST_TIMEOUT_MS },
    callbacks: callbacksUsed
      ? {
          url: e.SEEDANCE_CALLBACK_URL,
          listen: e.SEEDANCE_CALLBACK_LISTEN,
          path: e.SEEDANCE_CALLBACK_PATH,
          secret: e.SEEDANCE_CALLBACK_SECRET ?? deriveCallbackSecret(apiKey),
        }
      : undefined,
    output: e.SEEDANCE_OUTPUT,
    download: {
      ...DEFAULT_DOWNLOAD_POLICY,
      allowPrivateUrls: e.SEEDANCE_ALLOW_PRIVATE_URLS,
      maxBytes: e.SEEDANCE_MAX_VIDEO_BYTES,
    },
    temporal: {
      connection: temporal!.connectionOptions,
      namespace: temporal!.namespace ?? 'default',
      taskQueue: e.TEMPORAL_TASK_QUEUE,
    },
    shutdownGraceTimeMs: e.SEEDANCE_SHUTDOWN_GRACE_MS,
    prometheusAddress: e.SEEDANCE_PROMETHEUS_ADDRESS,
    tracing: tracingConfig(e),
    apiRequestsPerSecond: e.SEEDANCE_API_RPS,
    workflowBundlePath: e.SEEDANCE_WORKFLOW_BUNDLE,
    schedule: e.SEEDANCE_SCHEDULE,
  };
}

/**
 * Traces are on when `OTEL_TRACES_EXPORTER` names an exporter, or an OTLP endpoint is set without
 * it; `OTEL_SDK_DISABLED=true` and `OTEL_TRACES_EXPORTER=none` turn them off.
 */
function tracingConfig(e: z.infer<typeof envSchema>): TracingConfig | undefined {
  if (e.OTEL_SDK_DISABLED || e.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const exporter =
    e.OTEL_TRACES_EXPORTER ??
    (e.OTEL_EXPORTER_OTLP_ENDPOINT || e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : undefined);
  if (exporter === 'console') return { exporter, serviceName: e.OTEL_SERVICE_NAME };
  if (exporter !== 'otlp') return undefined;
  // The specification's default protocol is http/protobuf.
  const protocol = e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  return { exporter, protocol, serviceName: e.OTEL_SERVICE_NAME };
}

function isLoopbackHttp(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === 'http:' && /^(127(\.\d{1,3}){3}|localhost|\[::1\])$/.test(hostname);
  } catch {
    return false;
  }
}
