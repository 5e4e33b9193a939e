/**
 * The standalone receiver's configuration, read from the environment once at start. Errors name
 * the variable and what is wrong, never its value (the secret and the API key are secrets).
 */
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { z } from 'zod';
import { ConfigError } from '../config';
import { deriveCallbackSecret } from './callback-url';
import { DEFAULT_CALLBACK_PATH } from './receiver';

export interface CallbackReceiverConfig {
  listen: { host: string; port: number };
  path: string;
  /** The key callback URLs are signed with. */
  secret: string;
  temporal: { connection: ClientConnectConfig['connectionOptions']; namespace: string };
}

/** A secret this short could be guessed offline from one signed URL. */
const MIN_SECRET_LENGTH = 16;

const LISTEN = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/;

const envSchema = z.object({
  SEEDANCE_CALLBACK_LISTEN: z
    .string({ message: 'is required (host:port to listen on, e.g. 0.0.0.0:8088)' })
    .regex(LISTEN, 'must be host:port, e.g. 0.0.0.0:8088 or [::]:8088')
    .refine((v) => Number(LISTEN.exec(v)?.[3]) <= 65535, 'has a port outside 0-65535'),
  SEEDANCE_CALLBACK_PATH: z
    .string()
    .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/, 'must be a URL path starting with "/"')
    .default(DEFAULT_CALLBACK_PATH),
  SEEDANCE_CALLBACK_SECRET: z
    .string()
    .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`)
    .optional(),
  SEEDANCE_API_KEY: z.string().optional(),
});

/**
 * Reads `SEEDANCE_CALLBACK_LISTEN` (required), `SEEDANCE_CALLBACK_PATH` (default
 * `/seedance/callback`), `SEEDANCE_CALLBACK_SECRET` or else `SEEDANCE_API_KEY` (the secret is then
 * derived from it, as the workers do), and the Temporal connection (`TEMPORAL_ADDRESS`,
 * `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, TLS ..., or a profile). Throws `ConfigError` listing
 * every problem.
 */
export function loadCallbackReceiverConfig(
  env: Record<string, string | undefined> = process.env,
): CallbackReceiverConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
  if (!present.SEEDANCE_CALLBACK_SECRET && !present.SEEDANCE_API_KEY) {
    problems.push('SEEDANCE_CALLBACK_SECRET (or SEEDANCE_API_KEY, to derive it from) is required');
  }
  let temporal: ClientConnectConfig | undefined;
  try {
    temporal = loadClientConnectConfig({ overrideEnvVars: present as Record<string, string> });
  } catch (error) {
    problems.push(`Temporal connection settings (TEMPORAL_*): ${error instanceof Error ? error.message : 'invalid'}`);
  }
  if (!parsed.success || problems.length > 0 || !temporal) throw new ConfigError(problems);
  const e = parsed.data;
  const [, ipv6, name, port] = LISTEN.exec(e.SEEDANCE_CALLBACK_LISTEN)!;
  return {
    listen: { host: (ipv6 ?? name)!, port: Number(port) },
    path: e.SEEDANCE_CALLBACK_PATH,
    secret: e.SEEDANCE_CALLBACK_SECRET ?? deriveCallbackSecret(e.SEEDANCE_API_KEY!),
    temporal: { connection: temporal.connectionOptions, namespace: temporal.namespace ?? 'default' },
  };
}
