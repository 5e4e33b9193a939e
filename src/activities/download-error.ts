import { FAILURES, type FailureKind, type FailureType, type PerCaseFailureKind } from '../contract/failures';

type FixedFailureKind = Exclude<FailureKind, PerCaseFailureKind>;

/**
 * A download failure of a kind from the failure table. Its retryability comes from the table;
 * only the kinds the table marks `per-case` take it from the raise site.
 */
export class DownloadError extends Error {
  readonly type: FailureType;
  readonly retryable: boolean;

  constructor(kind: FixedFailureKind, message: string);
  constructor(kind: PerCaseFailureKind, message: string, options: { retryable: boolean });
  constructor(kind: FailureKind, message: string, options?: { retryable: boolean }) {
    super(message);
    this.name = 'DownloadError';
    const spec = FAILURES[kind];
    this.type = spec.type;
    this.retryable = spec.retryable === 'per-case' ? options!.retryable : spec.retryable;
  }
}
