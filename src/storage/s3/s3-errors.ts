/**
 * Typed failures of the S3 sink. Each class carries a stable `code` (mapped onto the Seedance
 * failure table by the download activity) and whether trying again can help.
 */
import { FailureType } from '../../contract/failures';
import { StorageBackendError } from '../types';

export type S3ErrorCode =
  | 'S3InvalidLocation'
  | 'S3InvalidConfiguration'
  | 'S3UploadGone'
  | 'S3CheckpointInvalid'
  | 'S3VerificationFailed'
  | 'S3TooManyParts'
  | 'S3RequestFailed';

export abstract class S3StorageError extends StorageBackendError {
  abstract readonly code: S3ErrorCode;
  /** `retryable`: true when the same operation may succeed later (after a restart from zero for some codes). */
}

/** `SEEDANCE_OUTPUT=s3://...` is not a usable bucket and prefix, or a key would be invalid. */
export class InvalidS3LocationError extends S3StorageError {
  readonly code = 'S3InvalidLocation';
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidS3LocationError';
  }
}

/** A SEEDANCE_S3_* setting has a value we cannot read. */
export class S3ConfigurationError extends S3StorageError {
  readonly code = 'S3InvalidConfiguration';
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'S3ConfigurationError';
  }
}

/**
 * The multipart upload no longer exists (expired by a lifecycle rule, aborted by a cancel or the
 * sweeper). Its parts are lost: the caller restarts the download from byte zero with a new upload.
 */
export class S3UploadGoneError extends S3StorageError {
  readonly code = 'S3UploadGone';
  readonly retryable = true;
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly uploadId: string,
  ) {
    super(`the multipart upload of s3://${bucket}/${key} no longer exists (expired or aborted)`);
    this.name = 'S3UploadGoneError';
  }
}

/**
 * A checkpoint that cannot be resumed: malformed, from an incompatible hasher build, or its parts
 * disagree with what the server lists. The caller aborts that upload and restarts from zero.
 */
export class S3CheckpointInvalidError extends S3StorageError {
  readonly code = 'S3CheckpointInvalid';
  readonly retryable = true;
  constructor(message: string) {
    super(message);
    this.name = 'S3CheckpointInvalidError';
  }
}

/** The bytes written do not have the expected length or sha256; the upload was not completed. */
export class S3VerificationError extends S3StorageError {
  readonly code = 'S3VerificationFailed';
  readonly retryable = true;
  constructor(message: string) {
    super(message);
    this.name = 'S3VerificationError';
  }
}

/** S3 allows 10,000 parts: at the chosen part size the video is too large. */
export class S3TooManyPartsError extends S3StorageError {
  readonly code = 'S3TooManyParts';
  readonly retryable = false;
  override readonly failureType = FailureType.VideoTooLarge;
  constructor(partSize: number, maxParts: number) {
    super(`the video exceeds ${maxParts} parts of ${partSize} bytes`);
    this.name = 'S3TooManyPartsError';
  }
}

/**
 * An S3 request failed after the SDK's own retries. `retryable` is false for what waiting cannot
 * fix (denied access, bad credentials, missing bucket), true for throttling, 5xx and the network.
 */
export class S3RequestError extends S3StorageError {
  readonly code = 'S3RequestFailed';
  readonly retryable: boolean;
  readonly operation: string;
  readonly status: number | undefined;
  readonly s3Code: string | undefined;
  constructor(operation: string, cause: unknown) {
    const info = describeSdkError(cause);
    super(
      `S3 ${operation} failed: ${info.s3Code ?? 'error'}${info.status ? ` (HTTP ${info.status})` : ''}: ${info.message}`,
      {
        cause,
      },
    );
    this.name = 'S3RequestError';
    this.operation = operation;
    this.status = info.status;
    this.s3Code = info.s3Code;
    this.retryable = isRetryableSdkError(info);
  }

  /** The operation, S3 code and status only: the SDK's message may quote anything. */
  override publicMessage(): string {
    const code = this.s3Code && /^[A-Za-z][A-Za-z0-9_.]{0,63}$/.test(this.s3Code) ? this.s3Code : 'error';
    return `S3 ${this.operation} failed: ${code}${this.status ? ` (HTTP ${this.status})` : ''}`;
  }
}

const PERMANENT_S3_CODES = new Set([
  'AccessDenied',
  'AllAccessDisabled',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'NoSuchBucket',
  'InvalidBucketName',
  'AuthorizationHeaderMalformed',
  'InvalidArgument',
  'InvalidRequest',
  'MethodNotAllowed',
  'NotImplemented',
  'CredentialsProviderError',
]);

interface SdkErrorInfo {
  status: number | undefined;
  s3Code: string | undefined;
  message: string;
}

function describeSdkError(err: unknown): SdkErrorInfo {
  const e = (err ?? {}) as {
    name?: string;
    Code?: string;
    code?: unknown;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  // The SDK names every transient socket failure (a reset too) `TimeoutError`; Node's code says which.
  const networkCode = typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code) ? e.code : undefined;
  return {
    status: e.$metadata?.httpStatusCode,
    s3Code: e.Code ?? networkCode ?? e.name,
    message: e.message ?? String(err),
  };
}

function isRetryableSdkError(info: SdkErrorInfo): boolean {
  if (info.s3Code && PERMANENT_S3_CODES.has(info.s3Code)) return false;
  if (info.status === undefined) return true; // network: reset, timeout, DNS
  return info.status >= 500 || info.status === 408 || info.status === 429;
}

/** True for the S3 `NoSuchUpload` error, whichever way the SDK or the server spells it. */
export function isNoSuchUpload(err: unknown): boolean {
  const e = err as { name?: string; Code?: string } | undefined;
  return e?.name === 'NoSuchUpload' || e?.Code === 'NoSuchUpload';
}

/** True for a 404 on HeadObject / GetObject. */
export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
