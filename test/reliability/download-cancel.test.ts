/**
 * Scenario 20 (docs/reliability-scenarios.md) through the real workflow on the time-skipping
 * server: the `cancel` signal arrives while the video streams. The workflow cancels
 * `downloadVideo`, the activity learns it from its heartbeat, deletes its partial file, and only
 * then (WAIT_CANCELLATION_COMPLETED) does the workflow fail with SeedanceWorkflowCancelled.
 *
 * On either provider (test/helpers/provider.ts). With ModelArk, 20 also shows that a cancel after
 * the task completed sends no DELETE (it would delete the task's record); 20b, the clean-up between
 * retries, is provider-neutral and runs on the reseller only.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGING_DIR_NAME } from '../../src/storage';
import type { SeedanceVideoStatus } from '../../src/contract/types';
import { startProviderHarness, type ProviderHarness } from '../helpers/harness';
import { itProviderNeutral, onModelArk } from '../helpers/provider';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { workflowFailure } from '../helpers/assertions';
import { outputContents } from '../helpers/files';
import { deleteRequests, statusRequests, videoRequests } from '../helpers/requests';
import { until } from '../helpers/wait';
import { readyTask, startAwait } from '../helpers/workflows';

let env: TestWorkflowEnvironment;
let h: ProviderHarness;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  h = await startProviderHarness({ env });
});

afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

describe('cancel while the video downloads', () => {
  it('20: the cancel signal at ~60% cancels the activity through its heartbeat and deletes the partial file', async () => {
    const total = h.sim.video.length;
    // ~9 s for the whole file: long enough to cancel in the middle.
    h.sim.inject({ kind: 'throttle', bytesPerSecond: 20_000 });
    const id = await readyTask(h.sim, 'cancel-mid');
    const handle = await startAwait(h.client, h.taskQueue, id);
    await until(() => (videoRequests(h.sim, id.taskId).at(-1)?.bytesServed ?? 0) >= total * 0.6, 20_000, '60% served');
    const staging = path.join(h.outputDir, STAGING_DIR_NAME);
    const partialsAtCancel = (await fs.readdir(staging)).filter((n) => n.includes(id.taskId));
    expect(partialsAtCancel).toHaveLength(1);
    // The status query shows the download's progress, reported by the activity as it streams.
    const during = await handle.query<SeedanceVideoStatus>('status');
    expect(during.phase).toBe('downloading');
    expect(during.download?.totalBytes).toBe(total);
    expect(during.download?.bytes).toBeGreaterThan(0);
    expect(during.download!.bytes).toBeLessThanOrEqual(total);
    const signalledAt = Date.now();
    await handle.signal('cancel', { reason: 'no longer needed' });

    const failure = await workflowFailure(handle.result());
    const cancelTookMs = Date.now() - signalledAt;
    expect(failure.type).toBe('SeedanceWorkflowCancelled');
    expect(failure.message).toContain('no longer needed');

    const gets = videoRequests(h.sim, id.taskId);
    expect(gets).toHaveLength(1);
    // The transfer was cut, not finished: the activity stopped when the cancel reached it.
    expect(gets[0]!.complete).toBe(false);
    expect(gets[0]!.bytesServed).toBeLessThan(total);
    const { files, partials } = await outputContents(h.outputDir);
    expect(files).not.toContain(`${id.taskId}.mp4`);
    expect(partials.filter((n) => n.includes(id.taskId))).toEqual([]);
    expect((await handle.query<SeedanceVideoStatus>('status')).phase).toBe('cancelled');
    if (onModelArk) {
      // The task had completed: the remote cancel is not even tried (no status read, no DELETE).
      expect(statusRequests(h.sim, id.taskId)).toHaveLength(1);
      expect(deleteRequests(h.sim, id.taskId)).toEqual([]);
    }

    // downloadVideo ended as cancelled (not completed, not failed), and before the workflow did.
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'downloadVideo',
    );
    expect(scheduled).toBeDefined();
    const ofDownload = (attrs: { scheduledEventId?: unknown } | null | undefined) =>
      attrs != null && String(attrs.scheduledEventId) === String(scheduled!.eventId);
    expect(events.some((e) => ofDownload(e.activityTaskCancelRequestedEventAttributes))).toBe(true);
    expect(events.some((e) => ofDownload(e.activityTaskCompletedEventAttributes))).toBe(false);
    expect(events.some((e) => ofDownload(e.activityTaskFailedEventAttributes))).toBe(false);
    const canceledAt = events.findIndex((e) => ofDownload(e.activityTaskCanceledEventAttributes));
    const failedAt = events.findIndex((e) => e.workflowExecutionFailedEventAttributes);
    expect(canceledAt).toBeGreaterThan(-1);
    expect(failedAt).toBeGreaterThan(canceledAt);
    console.info(
      `scenario 20: cancel reached the download after ${cancelTookMs} ms; ${gets[0]!.bytesServed} of ${total} bytes served`,
    );
  });

  itProviderNeutral('20b: a cancel while the download waits between retries still leaves no partial file', async () => {
    // Attempt 1 breaks off after 60 000 bytes and checkpoints its partial; the retry waits ~2 s.
    h.sim.inject({ kind: 'reset', afterBytes: 60_000 });
    const id = await readyTask(h.sim, 'cancel-backoff');
    const handle = await startAwait(h.client, h.taskQueue, id);
    // Wait until the server has attempt 1's failure and holds attempt 2 back for its backoff.
    await until(
      async () => {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        // The server counts attempt 2 as soon as attempt 1 failed; its request comes ~2 s later.
        return (
          pending.some((a) => a.activityType?.name === 'downloadVideo' && (a.attempt ?? 0) >= 2) &&
          videoRequests(h.sim, id.taskId).length === 1
        );
      },
      20_000,
      'attempt 2 in backoff',
    );
    expect(videoRequests(h.sim, id.taskId)).toHaveLength(1);
    const staging = path.join(h.outputDir, STAGING_DIR_NAME);
    expect((await fs.readdir(staging)).some((n) => n.includes(id.taskId))).toBe(true); // kept for the retry
    await handle.signal('cancel', { reason: 'during backoff' });

    const failure = await workflowFailure(handle.result());
    expect(failure.type).toBe('SeedanceWorkflowCancelled');
    expect(videoRequests(h.sim, id.taskId)).toHaveLength(1); // no attempt 2
    const { files, partials } = await outputContents(h.outputDir);
    expect(files).not.toContain(`${id.taskId}.mp4`);
    expect(partials.filter((n) => n.includes(id.taskId))).toEqual([]);
    const events = (await handle.fetchHistory()).events ?? [];
    expect(
      events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'discardPartialDownload'),
    ).toBe(true);
  });
});
