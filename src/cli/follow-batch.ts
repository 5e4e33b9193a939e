/** `batch --wait`: waits for the batch's result while drawing its counts from the `batchStatus` query. */
import type { WorkflowHandle } from '@temporalio/client';
import { batchStatusQuery } from '../contract/definitions';
import type { SeedanceBatchResult, SeedanceBatchStatus } from '../contract/types';
import type { LiveLine } from './live-line';
import { renderBatchLine } from './progress-line';

const QUERY_INTERVAL_MS = 1_000;

export async function followBatch(handle: WorkflowHandle, line: LiveLine | undefined): Promise<SeedanceBatchResult> {
  const result = handle.result() as Promise<SeedanceBatchResult>;
  if (!line) return result;
  let latest: SeedanceBatchStatus | undefined;
  let stopped = false;
  const draw = () => {
    if (latest) line.update(renderBatchLine(latest, { columns: line.columns }), JSON.stringify(latest.counts));
  };
  const poll = async () => {
    while (!stopped) {
      try {
        latest = await handle.query(batchStatusQuery);
        draw();
      } catch {
        // Not answerable yet, or the run is continuing as new: try again.
      }
      await new Promise((resolve) => setTimeout(resolve, QUERY_INTERVAL_MS));
    }
  };
  void poll();
  try {
    const value = await result;
    latest = { ...(latest ?? { maxConcurrent: 0, run: 1 }), ...finalCounts(value) };
    return value;
  } finally {
    stopped = true;
    draw();
    line.finish();
  }
}

function finalCounts(result: SeedanceBatchResult): Pick<SeedanceBatchStatus, 'total' | 'counts' | 'items'> {
  return {
    total: result.total,
    items: result.items,
    counts: { pending: 0, running: 0, completed: result.completed, failed: result.failed, cancelled: result.cancelled },
  };
}
