/**
 * The batch's pure parts: input validation, the ledger (query, result, what continue-as-new
 * carries and how big it is), the children's Web UI metadata and how a child's end reads.
 */
import { ApplicationFailure, CancelledFailure, ChildWorkflowFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { GenerateSeedanceVideosInput, SeedanceVideoResult } from '../../src/contract/types';
import { batchChildId, batchChildMetadata, childOutcome } from '../../src/workflows/batch-child';
import { BATCH_MAX_ITEMS } from '../../src/contract/batch-limits';
import { parseBatchInput } from '../../src/workflows/batch-input';
import { BatchLedger } from '../../src/workflows/batch-ledger';

const item = (text: string, fileName?: string) => ({
  request: { model: 'seedance_1_5_pro_720p', content: [{ type: 'text' as const, text }] },
  ...(fileName ? { fileName } : {}),
});

function refusal(input: unknown): ApplicationFailure {
  try {
    parseBatchInput(input as GenerateSeedanceVideosInput);
  } catch (error) {
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe('SeedanceInvalidInput');
    return error as ApplicationFailure;
  }
  throw new Error('expected the input to be refused');
}

describe('parseBatchInput', () => {
  it('takes the fixed shape with maxConcurrent 10 by default', () => {
    const parsed = parseBatchInput({ items: [item('a red fox'), item('a blue whale', 'whale.mp4')] });
    expect(parsed.maxConcurrent).toBe(10);
    expect(parsed.items.map((i) => i.fileName)).toEqual([undefined, 'whale.mp4']);
  });

  it.each([0, -1, 1.5, 101, '10'])('refuses maxConcurrent %j', (maxConcurrent) => {
    expect(refusal({ items: [item('a')], maxConcurrent }).message).toContain('maxConcurrent must be a whole number');
  });

  it('names the bad item, refuses two items writing one file, an empty and an oversized batch', () => {
    expect(refusal({ items: [item('a'), { request: { model: 'x', content: [] } }] }).message).toMatch(
      /^items\[1\]\.request is not a valid/,
    );
    expect(refusal({ items: [item('a', 'same.mp4'), item('b', 'same.mp4')] }).message).toContain(
      'items[0] and items[1] both write same.mp4',
    );
    expect(refusal({ items: [item('a', '../escape.mp4')] }).message).toContain('items[0].fileName is not allowed');
    expect(refusal({ items: [] }).message).toContain('non-empty');
    expect(refusal({ items: Array.from({ length: BATCH_MAX_ITEMS + 1 }, () => item('a')) }).message).toContain(
      'at most',
    );
    expect(refusal([item('a')]).message).toContain('JSON object');
  });
});

/** A stored video as the reseller path reports it: realistic lengths for the size measurement. */
function storedVideo(n: number): SeedanceVideoResult {
  const taskId = `video_${String(n).padStart(6, '0')}abcdef123456`;
  return {
    taskId,
    model: 'seedance_1_5_pro_1080p',
    status: 'completed',
    actualDuration: 5,
    video: { uri: `file:///var/lib/seedance/videos/${taskId}.mp4`, bytes: 4_812_345, sha256: 'ab'.repeat(32) },
    checks: 9,
  };
}

describe('BatchLedger', () => {
  const childId = (i: number) => batchChildId('batch-1', i);

  it('counts phases, keeps input order, and carries only finished items across continue-as-new', () => {
    const ledger = new BatchLedger(4, 2, childId);
    ledger.started(0);
    ledger.started(1);
    expect(ledger.status().counts).toEqual({ pending: 2, running: 2, completed: 0, failed: 0, cancelled: 0 });
    ledger.completed(0, storedVideo(0));
    ledger.ended(1, 'failed', { type: 'SeedanceTaskFailed', message: 'refused' }, true);
    expect(ledger.pendingIndexes()).toEqual([2, 3]);

    const carried = ledger.carry();
    expect(carried).toEqual({
      total: 4,
      run: 1,
      done: [
        { i: 0, v: storedVideo(0) },
        { i: 1, f: { type: 'SeedanceTaskFailed', message: 'refused' } },
      ],
    });
    const next = new BatchLedger(4, 2, childId, JSON.parse(JSON.stringify(carried)) as typeof carried);
    expect(next.run).toBe(2);
    expect(next.pendingIndexes()).toEqual([2, 3]);
    expect(next.status().items.slice(0, 2)).toEqual(ledger.status().items.slice(0, 2));
    next.cancelPending('cancelled by signal: stop');
    expect(next.result()).toMatchObject({ total: 4, completed: 1, failed: 1, cancelled: 2 });
    expect(next.result().items[3]).toMatchObject({ phase: 'cancelled', workflowId: null });
  });

  it('refuses to carry while a child runs (its outcome would be lost)', () => {
    const ledger = new BatchLedger(2, 2, childId);
    ledger.started(0);
    expect(() => ledger.carry()).toThrow(/still running/);
  });

  it('keeps a 1,000-video batch well inside one payload: carried state and result measured', () => {
    const ledger = new BatchLedger(BATCH_MAX_ITEMS, 10, childId);
    for (let i = 0; i < BATCH_MAX_ITEMS; i += 1) ledger.completed(i, storedVideo(i));
    const carried = Buffer.byteLength(JSON.stringify(ledger.carry()));
    const result = Buffer.byteLength(JSON.stringify(ledger.result()));
    console.log(`1,000 stored videos: carried ${carried} bytes, result ${result} bytes`);
    // Temporal warns above 512 KB a payload and refuses above 2 MB; about 310 bytes a stored video.
    expect(carried).toBeLessThan(512 * 1024);
    expect(result).toBeLessThan(512 * 1024);
    expect(carried).toBeLessThan(result);
  });
});

describe('a batch child', () => {
  it('shows the prompt in its summary and the batch and item in its details', () => {
    const meta = batchChildMetadata('batch-foxes', 3, 50, {
      request: item('a red fox running through deep snow at dawn').request,
    });
    expect(meta.staticSummary).toBe('Seedance 720p: a red fox running through deep snow at…');
    expect(meta.staticDetails).toContain('- Batch: `batch-foxes`, item 3 (4 of 50)');
    expect(meta.staticDetails).toContain('seedance_1_5_pro_720p');
  });

  it('reads a child failure as its typed cause, and a cancel as cancelled', () => {
    const failed = new ChildWorkflowFailure(
      'default',
      { workflowId: 'w', runId: 'r' },
      'generateSeedanceVideo',
      RetryState.NON_RETRYABLE_FAILURE,
      ApplicationFailure.create({ type: 'SeedanceTaskFailed', message: 'refused', nonRetryable: true }),
    );
    expect(childOutcome(failed)).toEqual({
      phase: 'failed',
      failure: { type: 'SeedanceTaskFailed', message: 'refused' },
    });
    const cancelled = new ChildWorkflowFailure(
      'default',
      { workflowId: 'w', runId: 'r' },
      'generateSeedanceVideo',
      RetryState.NON_RETRYABLE_FAILURE,
      new CancelledFailure('cancelled'),
    );
    expect(childOutcome(cancelled)).toMatchObject({ phase: 'cancelled', failure: { type: 'CancelledFailure' } });
  });
});
