/** Raising the package's typed failures from workflow code. */
import { ApplicationFailure } from '@temporalio/common';
import type { FailureType } from '../contract/failures';

/** A failure that ends the workflow with `type` (never retried). */
export function nonRetryable(type: FailureType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: details === undefined ? undefined : [details],
  });
}
