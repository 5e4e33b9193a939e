/**
 * The S3 client of the sink. Endpoint, region, credentials, profiles, retry mode and attempts all
 * come from the AWS SDK v3's own configuration chain (`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`,
 * `AWS_REGION`, `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE` and `~/.aws/*`,
 * `AWS_RETRY_MODE`, `AWS_MAX_ATTEMPTS`), read by the SDK itself. The only setting of ours is
 * `SEEDANCE_S3_FORCE_PATH_STYLE=true`, for servers addressed by IP or without wildcard DNS.
 * 503 SlowDown and other throttling errors are retried by the SDK's retry strategy with backoff.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { S3ConfigurationError } from './s3-errors';

export const FORCE_PATH_STYLE_ENV = 'SEEDANCE_S3_FORCE_PATH_STYLE';

/** A socket that connects slower than this, or stays silent longer than that, is dropped (then retried). */
const CONNECTION_TIMEOUT_MS = 10_000;
const SOCKET_IDLE_TIMEOUT_MS = 60_000;

/** Our part of the client configuration, from `env` (default `process.env`). */
export function s3ClientSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<S3ClientConfig, 'forcePathStyle'> {
  return { forcePathStyle: parseBooleanSetting(FORCE_PATH_STYLE_ENV, env[FORCE_PATH_STYLE_ENV]) };
}

/**
 * A client configured by the standard AWS environment plus `SEEDANCE_S3_FORCE_PATH_STYLE`.
 * `overrides` win over both (tests pass an explicit endpoint and credentials this way).
 */
export function createS3Client(overrides: S3ClientConfig = {}, env: NodeJS.ProcessEnv = process.env): S3Client {
  return new S3Client({
    ...s3ClientSettingsFromEnv(env),
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, socketTimeout: SOCKET_IDLE_TIMEOUT_MS },
    ...overrides,
  });
}

function parseBooleanSetting(name: string, value: string | undefined): boolean {
  const normalized = (value ?? '').trim().toLowerCase();
  if (normalized === '' || normalized === 'false' || normalized === '0') return false;
  if (normalized === 'true' || normalized === '1') return true;
  throw new S3ConfigurationError(`${name}=${value} is not a boolean (use true or false)`);
}
