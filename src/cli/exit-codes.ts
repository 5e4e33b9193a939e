/**
 * The exit codes of `seedance-temporal`, and how an error becomes one. Scripts rely on these
 * numbers: they are documented in the README and in `--help`, and only ever added to.
 */
import {
  ApplicationFailure,
  CancelledFailure,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowNotFoundError,
} from '@temporalio/common';
import { ServiceError, WorkflowFailedError, isGrpcServiceError } from '@temporalio/client';
import { FailureType } from '../contract/failures';

export const ExitCode = {
  /** The command did what it was asked: the video is stored, the status shown, the cancel sent. */
  Ok: 0,
  /** Something unexpected (a bug, or an error this table does not name). */
  Error: 1,
  /** Bad arguments or input: unknown option or model, empty prompt, bad JSON file. Nothing was started. */
  Usage: 2,
  /** The provider failed the task or refused its content (`SeedanceTaskFailed`, `SeedanceContentRefused`). */
  TaskFailed: 3,
  /** Cancelled: our `cancel` signal, a Temporal cancel or terminate, or the provider cancelled the task. */
  Cancelled: 4,
  /** Gave up waiting: the workflow's deadline (`SeedanceTaskTimedOut`) or the provider's expiry (`SeedanceTaskExpired`). */
  TimedOut: 5,
  /** No such workflow or task (`SeedanceTaskNotFound`, or no workflow follows the task id). */
  NotFound: 6,
  /** Temporal could not be reached (address, TLS, API key, namespace). */
  Connection: 7,
  /** The workflow failed another way (the worker's Seedance key refused, storage full...): see the message. */
  Failed: 8,
  /** A batch ended with some items failed or cancelled (the others are stored). */
  BatchIncomplete: 9,
  /** Ctrl-C (SIGINT) while waiting: the waiting stopped, the workflow goes on. */
  Interrupted: 130,
  /** The reader of the output went away (`| head -1`, 128 + SIGPIPE): the workflow goes on. */
  ReaderGone: 141,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The table `--help` and the README show. */
export const EXIT_CODE_TABLE: ReadonlyArray<{ code: ExitCode; meaning: string }> = [
  { code: ExitCode.Ok, meaning: 'done (video stored; status shown; cancel sent; batch all stored)' },
  { code: ExitCode.Error, meaning: 'unexpected error' },
  { code: ExitCode.Usage, meaning: 'bad arguments or input (nothing started)' },
  { code: ExitCode.TaskFailed, meaning: 'task failed or content refused (SeedanceTaskFailed, SeedanceContentRefused)' },
  {
    code: ExitCode.Cancelled,
    meaning: 'cancelled (SeedanceWorkflowCancelled, SeedanceTaskCancelled, Temporal cancel/terminate)',
  },
  { code: ExitCode.TimedOut, meaning: 'timed out or expired (SeedanceTaskTimedOut, SeedanceTaskExpired)' },
  { code: ExitCode.NotFound, meaning: 'not found (no workflow for the task id, SeedanceTaskNotFound)' },
  { code: ExitCode.Connection, meaning: 'cannot reach Temporal' },
  {
    code: ExitCode.Failed,
    meaning: 'the workflow failed another way (e.g. SeedanceUnauthorized, SeedanceStorageError)',
  },
  { code: ExitCode.BatchIncomplete, meaning: 'batch ended with some items failed or cancelled' },
  { code: ExitCode.Interrupted, meaning: 'Ctrl-C while waiting (the workflow goes on)' },
  { code: ExitCode.ReaderGone, meaning: 'the reader of the output went away, e.g. `| head -1` (the workflow goes on)' },
];

/** The exit code `--help` prints: one line per code. */
export function exitCodeHelp(): string {
  return ['Exit codes:', ...EXIT_CODE_TABLE.map(({ code, meaning }) => `  ${code}  ${meaning}`)].join('\n');
}

/** An error the command raises itself, with the exit code it means. Its message is shown as is. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** The failure type behind it, if any (shown in `--json`). */
    readonly type: string | null = null,
    /** More fields for `--json`'s error object, e.g. the workflow id. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad arguments or input. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.Usage, 'UsageError');
    this.name = 'UsageError';
  }
}

const BY_FAILURE_TYPE: Readonly<Record<string, ExitCode>> = {
  [FailureType.TaskFailed]: ExitCode.TaskFailed,
  [FailureType.ContentRefused]: ExitCode.TaskFailed,
  [FailureType.TaskCancelled]: ExitCode.Cancelled,
  [FailureType.WorkflowCancelled]: ExitCode.Cancelled,
  [FailureType.TaskTimedOut]: ExitCode.TimedOut,
  [FailureType.TaskExpired]: ExitCode.TimedOut,
  [FailureType.TaskNotFound]: ExitCode.NotFound,
  [FailureType.InvalidInput]: ExitCode.Usage,
  [FailureType.InvalidRequest]: ExitCode.Usage,
  [FailureType.InvalidFileName]: ExitCode.Usage,
};

/** The exit code of a workflow that failed with this `ApplicationFailure.type` (a batch item's too). */
export function exitCodeForFailureType(type: string | null | undefined): ExitCode {
  return (type ? BY_FAILURE_TYPE[type] : undefined) ?? ExitCode.Failed;
}

/** gRPC codes that mean "Temporal is not there or will not let us in". */
const CONNECTION_GRPC_CODES = new Set([
  4, // DEADLINE_EXCEEDED
  7, // PERMISSION_DENIED
  14, // UNAVAILABLE
  16, // UNAUTHENTICATED
]);

export interface DescribedError {
  exitCode: ExitCode;
  type: string | null;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * `promise`'s value; its error rethrown as the {@link CliError} it means, with `details` (the
 * workflow id...) for `--json`'s error object.
 */
export async function withErrorDetails<T>(promise: Promise<T>, details: Record<string, unknown>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    const { message, exitCode, type } = describeError(error);
    throw new CliError(message, exitCode, type, details);
  }
}

/** What an error means to a script: its exit code, its failure type and a message for people. */
export function describeError(error: unknown): DescribedError {
  if (error instanceof CliError) {
    return { exitCode: error.exitCode, type: error.type, message: error.message, details: error.details };
  }
  if (error instanceof WorkflowFailedError) return describeWorkflowFailure(error.cause);
  if (error instanceof WorkflowNotFoundError) {
    return { exitCode: ExitCode.NotFound, type: 'WorkflowNotFound', message: `workflow ${error.workflowId} not found` };
  }
  const grpc = grpcCode(error);
  if (grpc !== undefined && CONNECTION_GRPC_CODES.has(grpc)) {
    return { exitCode: ExitCode.Connection, type: 'ConnectionError', message: messageOf(error) };
  }
  if (grpc === 5) {
    // An unknown namespace is a connection setting gone wrong, not a missing workflow.
    const namespace = /namespace/i.test(messageOf(error));
    return namespace
      ? { exitCode: ExitCode.Connection, type: 'NamespaceNotFound', message: messageOf(error) }
      : { exitCode: ExitCode.NotFound, type: 'NotFound', message: messageOf(error) };
  }
  return { exitCode: ExitCode.Error, type: null, message: messageOf(error) };
}

/** The cause of a failed workflow: its typed failure, a cancel, a terminate or a Temporal timeout. */
export function describeWorkflowFailure(cause: unknown): DescribedError {
  if (cause instanceof ApplicationFailure) {
    return { exitCode: exitCodeForFailureType(cause.type), type: cause.type ?? null, message: cause.message };
  }
  if (cause instanceof CancelledFailure) {
    return { exitCode: ExitCode.Cancelled, type: 'Cancelled', message: 'the workflow was cancelled' };
  }
  if (cause instanceof TerminatedFailure) {
    return {
      exitCode: ExitCode.Cancelled,
      type: 'Terminated',
      message: `the workflow was terminated: ${cause.message}`,
    };
  }
  if (cause instanceof TimeoutFailure) {
    return { exitCode: ExitCode.TimedOut, type: 'Timeout', message: 'the workflow timed out (Temporal timeout)' };
  }
  return { exitCode: ExitCode.Failed, type: null, message: messageOf(cause) };
}

function grpcCode(error: unknown): number | undefined {
  if (error instanceof ServiceError) return grpcCode(error.cause);
  if (isGrpcServiceError(error)) return error.code;
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
