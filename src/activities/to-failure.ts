/**
 * Maps errors raised inside activities onto ApplicationFailures with the types of `../failures`.
 * Messages come from our own error classes, which never carry secrets or signed URLs; anything
 * unknown is reduced to its error code so a raw library message never reaches history.
 */
import { ApplicationFailure, ApplicationFailureCategory, CancelledFailure } from '@temporalio/common';
import { SeedanceError, SeedanceRateLimitedError } from '../seedance/errors';
import { FailureType } from '../contract/failures';
import { InvalidVideoError, StorageBackendError, UnsafeFileNameError } from '../storage/types';
import { DownloadError } from './download-error';

export function toApplicationFailure(error: unknown): Error {
  if (error instanceof ApplicationFailure || error instanceof CancelledFailure) return error;
  if (error instanceof SeedanceError) {
    return ApplicationFailure.create({
      type: error.code,
      message: error.message,
      nonRetryable: !error.retryable,
      ...(error instanceof SeedanceRateLimitedError && error.retryAfterMs !== undefined
        ? {
            nextRetryDelay: error.retryAfterMs,
            // The decoded failure a workflow sees has no nextRetryDelay: carry it in the details too.
            details: [{ retryAfterMs: error.retryAfterMs }],
            category: ApplicationFailureCategory.BENIGN,
          }
        : {}),
    });
  }
  if (error instanceof DownloadError) {
    return ApplicationFailure.create({ type: error.type, message: error.message, nonRetryable: !error.retryable });
  }
  if (error instanceof InvalidVideoError) {
    return ApplicationFailure.create({
      type: FailureType.InvalidVideo,
      message: error.message,
      nonRetryable: !error.retryable,
    });
  }
  if (error instanceof UnsafeFileNameError) {
    return ApplicationFailure.create({ type: FailureType.InvalidFileName, message: error.message, nonRetryable: true });
  }
  if (error instanceof StorageBackendError) {
    return ApplicationFailure.create({
      type: error.failureType,
      message: error.publicMessage(),
      nonRetryable: !error.retryable,
    });
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return ApplicationFailure.create({
      type: FailureType.StorageFull,
      message: 'the output storage is full; the download resumes when space is freed',
      nonRetryable: false,
    });
  }
  if (typeof code === 'string' && SAFE_WORD.test(code)) {
    return ApplicationFailure.create({
      type: FailureType.StorageError,
      message: `storage error ${code}`,
      nonRetryable: false,
    });
  }
  const message = !(error instanceof Error)
    ? 'unknown error in the activity'
    : `${SAFE_WORD.test(error.name) ? error.name : 'an unexpected error'} in the activity`;
  return ApplicationFailure.create({ type: FailureType.InternalError, message, nonRetryable: false });
}

/** Error names and codes are quoted only when they are plain identifiers (no URLs, no text). */
const SAFE_WORD = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
