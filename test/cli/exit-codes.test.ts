import { ServiceError, WorkflowFailedError } from '@temporalio/client';
import {
  ApplicationFailure,
  CancelledFailure,
  RetryState,
  TerminatedFailure,
  TimeoutFailure,
  TimeoutType,
  WorkflowNotFoundError,
} from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { FAILURES } from '../../src/contract/failures';
import {
  CliError,
  describeError,
  EXIT_CODE_TABLE,
  ExitCode,
  exitCodeForFailureType,
  exitCodeHelp,
  UsageError,
} from '../../src/cli/exit-codes';

function failed(cause: Error): WorkflowFailedError {
  return new WorkflowFailedError('Workflow execution failed', cause, RetryState.NON_RETRYABLE_FAILURE);
}

function typed(type: string): WorkflowFailedError {
  return failed(ApplicationFailure.create({ type, message: `${type} happened`, nonRetryable: true }));
}

describe('exit codes', () => {
  it.each([
    ['SeedanceTaskFailed', ExitCode.TaskFailed],
    ['SeedanceContentRefused', ExitCode.TaskFailed],
    ['SeedanceWorkflowCancelled', ExitCode.Cancelled],
    ['SeedanceTaskCancelled', ExitCode.Cancelled],
    ['SeedanceTaskTimedOut', ExitCode.TimedOut],
    ['SeedanceTaskExpired', ExitCode.TimedOut],
    ['SeedanceTaskNotFound', ExitCode.NotFound],
    ['SeedanceInvalidInput', ExitCode.Usage],
    ['SeedanceInvalidRequest', ExitCode.Usage],
    ['SeedanceUnauthorized', ExitCode.Failed],
    ['SeedanceStorageError', ExitCode.Failed],
  ])('a workflow failed with %s exits %i', (type, code) => {
    expect(describeError(typed(type))).toMatchObject({ exitCode: code, type, message: `${type} happened` });
  });

  it('gives every failure type of the package a documented code, the unknown ones "failed otherwise"', () => {
    const documented = new Set<number>(EXIT_CODE_TABLE.map((row) => row.code));
    for (const { type } of Object.values(FAILURES)) expect(documented.has(exitCodeForFailureType(type))).toBe(true);
    expect(exitCodeForFailureType('SomeoneElsesFailure')).toBe(ExitCode.Failed);
    expect(exitCodeForFailureType(null)).toBe(ExitCode.Failed);
  });

  it('maps Temporal cancel, terminate and timeout', () => {
    expect(describeError(failed(new CancelledFailure('cancelled'))).exitCode).toBe(ExitCode.Cancelled);
    expect(describeError(failed(new TerminatedFailure('by hand'))).exitCode).toBe(ExitCode.Cancelled);
    const timeout = new TimeoutFailure('timed out', undefined, TimeoutType.START_TO_CLOSE);
    expect(describeError(failed(timeout)).exitCode).toBe(ExitCode.TimedOut);
  });

  it('maps a missing workflow to not found, and unreachable Temporal to the connection code', () => {
    expect(describeError(new WorkflowNotFoundError('gone', 'seedance-x', undefined)).exitCode).toBe(ExitCode.NotFound);
    const unavailable = Object.assign(new Error('14 UNAVAILABLE: no connection'), {
      code: 14,
      details: '',
      metadata: {},
    });
    expect(describeError(new ServiceError('call failed', { cause: unavailable })).exitCode).toBe(ExitCode.Connection);
    const namespace = Object.assign(new Error('5 NOT_FOUND: Namespace nope is not found.'), {
      code: 5,
      details: '',
      metadata: {},
    });
    expect(describeError(namespace).exitCode).toBe(ExitCode.Connection);
  });

  it("keeps the command's own codes, and anything else is 1", () => {
    expect(describeError(new UsageError('bad')).exitCode).toBe(ExitCode.Usage);
    expect(describeError(new CliError('down', ExitCode.Connection)).exitCode).toBe(ExitCode.Connection);
    expect(describeError(new Error('boom'))).toEqual({ exitCode: ExitCode.Error, type: null, message: 'boom' });
  });

  it('lists every code in --help, each once', () => {
    const help = exitCodeHelp();
    for (const code of Object.values(ExitCode)) expect(help).toMatch(new RegExp(`^  ${code}  `, 'm'));
    expect(new Set(Object.values(ExitCode)).size).toBe(Object.values(ExitCode).length);
  });
});
