/**
 * `--wait` for one video: waits for the workflow's result while drawing its progress line from the
 * `status` query, once a second. During a `pollStatus` wait the query has no next-check time (the
 * next check is the activity's next attempt), so it is read from `describe` then.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { statusQuery } from '../contract/definitions';
import type { SeedanceVideoResult, SeedanceVideoStatus } from '../contract/types';
import { answerWithin } from './answer-within';
import type { LiveLine } from './live-line';
import { renderProgressLine } from './progress-line';

const QUERY_INTERVAL_MS = 1_000;
/** A terminal redraws the countdown between queries. */
const REDRAW_INTERVAL_MS = 250;
/** The last line after the end comes from one more query, if a worker answers it this soon. */
const FINAL_QUERY_TIMEOUT_MS = 2_000;

/** The workflow's result, with its progress drawn on `line` meanwhile (nothing drawn when `line` is undefined). */
export async function followVideo(handle: WorkflowHandle, line: LiveLine | undefined): Promise<SeedanceVideoResult> {
  const result = handle.result() as Promise<SeedanceVideoResult>;
  if (!line) return result;
  let latest: SeedanceVideoStatus | undefined;
  let nextAttemptAtMs: number | undefined;
  let stopped = false;
  const draw = () => {
    if (!latest) return;
    const text = renderProgressLine(latest, {
      nowMs: Date.now(),
      nextCheckAtMs: nextAttemptAtMs,
      columns: line.columns,
    });
    line.update(text, JSON.stringify([latest, nextAttemptAtMs]));
  };
  const poll = async () => {
    while (!stopped) {
      try {
        latest = await handle.query(statusQuery);
        nextAttemptAtMs =
          latest.phase === 'waiting' && latest.nextCheckAt === null ? await nextPollAttemptAtMs(handle) : undefined;
        draw();
      } catch {
        // Not answerable yet (no worker took the first task) or the run just ended: try again.
      }
      await new Promise((resolve) => setTimeout(resolve, QUERY_INTERVAL_MS));
    }
  };
  void poll();
  const redraw = line.isTTY ? setInterval(draw, REDRAW_INTERVAL_MS) : undefined;
  try {
    const value = await result;
    latest = (await finalStatus(handle)) ?? latest;
    return value;
  } catch (error) {
    latest = (await finalStatus(handle)) ?? latest;
    throw error;
  } finally {
    stopped = true;
    if (redraw) clearInterval(redraw);
    draw();
    line.finish();
  }
}

/** The closed run's last `status` answer (a worker replays it); none if no worker answers soon. */
function finalStatus(handle: WorkflowHandle): Promise<SeedanceVideoStatus | undefined> {
  return answerWithin(handle.query(statusQuery), FINAL_QUERY_TIMEOUT_MS);
}

/** When the `pollStatus` activity makes its next attempt (its next status read), if it waits for one. */
async function nextPollAttemptAtMs(handle: WorkflowHandle): Promise<number | undefined> {
  const description = await handle.describe();
  const poll = description.raw.pendingActivities?.find((a) => a.activityType?.name === 'pollStatus');
  return optionalTsToMs(poll?.nextAttemptScheduleTime);
}
