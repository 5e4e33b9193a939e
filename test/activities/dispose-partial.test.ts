/**
 * The fate of a failed attempt's partial file, by stop reason: the reasons come from the
 * activity's cancellation details first, then from whether Temporal retries the error.
 */
import type { ActivityCancellationDetails } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { disposePartial, stopReason, willRetry, type StopReason } from '../../src/activities/dispose-partial';
import { DownloadError } from '../../src/activities/download-error';
import { SeedanceUnsafeUrlError } from '../../src/seedance/errors';

const retryable = new DownloadError('NetworkError', 'broke off');
const final = new DownloadError('InvalidVideo', 'not an MP4', { retryable: false });

function details(flags: Partial<ActivityCancellationDetails>): ActivityCancellationDetails {
  return {
    cancelRequested: false,
    workerShutdown: false,
    timedOut: false,
    notFound: false,
    paused: false,
    reset: false,
    ...flags,
  } as ActivityCancellationDetails;
}

describe('stopReason', () => {
  it.each([
    ['a cancel request', details({ cancelRequested: true }), retryable, 'cancelled'],
    ['a cancel request, also on a final error', details({ cancelRequested: true }), final, 'cancelled'],
    ['worker shutdown', details({ workerShutdown: true }), final, 'shutdown'],
    ['a heartbeat timeout (zombie)', details({ timedOut: true }), final, 'zombie'],
    ['an attempt the server no longer knows (zombie)', details({ notFound: true }), retryable, 'zombie'],
    ['a retryable failure', undefined, retryable, 'retrying'],
    ['a non-retryable failure', undefined, final, 'final'],
    ['a type the retry policy never retries', details({}), new SeedanceUnsafeUrlError('refused'), 'final'],
    ['a storage error (ENOSPC)', undefined, Object.assign(new Error('full'), { code: 'ENOSPC' }), 'retrying'],
  ] as const)('%s', (_what, cancellation, error, expected) => {
    expect(stopReason(cancellation, error)).toBe(expected);
  });

  it('willRetry follows the failure the activity reports', () => {
    expect(willRetry(retryable)).toBe(true);
    expect(willRetry(final)).toBe(false);
  });
});

describe('disposePartial', () => {
  function target() {
    const calls: string[] = [];
    // The sink's discard() is what deletes this attempt's partial: logged as 'remove'.
    const sink = {
      discard: async () => void calls.push('remove'),
      close: async () => void calls.push('close'),
    };
    return {
      calls,
      sink,
      checkpoint: async () => void calls.push('checkpoint'),
      removeOtherPartials: async () => void calls.push('removeOtherPartials'),
    };
  }

  it.each<[StopReason, string[]]>([
    ['cancelled', ['remove', 'removeOtherPartials']],
    ['final', ['remove', 'removeOtherPartials']],
    ['shutdown', ['checkpoint', 'close']],
    ['retrying', ['checkpoint', 'close']],
    ['zombie', ['close']],
  ])('%s: %j', async (reason, expected) => {
    const t = target();
    await disposePartial(reason, t);
    expect(t.calls).toEqual(expected);
  });

  it('keeps the partial even when the last checkpoint fails', async () => {
    const t = target();
    t.checkpoint = async () => {
      throw Object.assign(new Error('fsync failed'), { code: 'EIO' });
    };
    await disposePartial('retrying', t);
    expect(t.calls).toEqual(['close']);
  });
});
