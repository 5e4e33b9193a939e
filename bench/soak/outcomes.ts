/**
 * How each planned workflow ended, read back from Temporal: status, result or failure type,
 * latency, and its activity attempts from the history (a retried activity records its last
 * attempt's number in ActivityTaskStarted).
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { SeedanceVideoResult } from '../../src/contract';
import type { PlannedVideo } from './plan';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface ActivityCounts {
  /** Activities scheduled (one per execution, retries included in it). */
  scheduled: number;
  /** Attempts the closed ones took. */
  attempts: number;
  /** Attempts after the first. */
  retries: number;
  timeouts: number;
  failures: number;
}

export interface VideoOutcome {
  video: PlannedVideo;
  /** `COMPLETED`, `FAILED`, `RUNNING`, ... */
  status: string;
  result?: SeedanceVideoResult;
  /** The ApplicationFailure type a failed workflow ended with. */
  failureType?: string;
  failureMessage?: string;
  /** Close minus start, by the server's clock. */
  latencyMs?: number;
  activities: Record<string, ActivityCounts>;
  workflowTaskTimeouts: number;
  /** For a workflow still open: its pending activities, for the report. */
  pending?: string[];
}

export async function readOutcome(client: Client, video: PlannedVideo): Promise<VideoOutcome> {
  const handle = client.workflow.getHandle(video.workflowId);
  const description = await handle.describe();
  const status = description.status.name;
  const outcome: VideoOutcome = { video, status, activities: {}, workflowTaskTimeouts: 0 };
  if (description.closeTime) outcome.latencyMs = description.closeTime.getTime() - description.startTime.getTime();
  if (status === 'RUNNING') {
    outcome.pending = (description.raw.pendingActivities ?? []).map(
      (a) =>
        `${a.activityType?.name} attempt ${a.attempt} state ${a.state}` +
        (a.lastFailure?.message ? ` last failure: ${a.lastFailure.message}` : ''),
    );
  } else if (status === 'COMPLETED') {
    outcome.result = (await handle.result()) as SeedanceVideoResult;
  } else if (status === 'FAILED') {
    try {
      await handle.result();
    } catch (error) {
      const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
      outcome.failureType = cause instanceof ApplicationFailure ? (cause.type ?? 'ApplicationFailure') : cause?.name;
      outcome.failureMessage = cause?.message;
    }
  }
  countEvents((await handle.fetchHistory()).events ?? [], outcome);
  return outcome;
}

function countEvents(events: HistoryEvent[], outcome: VideoOutcome): void {
  const typeOf = new Map<string, string>();
  const counts = (type: string) =>
    (outcome.activities[type] ??= { scheduled: 0, attempts: 0, retries: 0, timeouts: 0, failures: 0 });
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const type = scheduled.activityType?.name ?? '?';
      typeOf.set(String(event.eventId), type);
      counts(type).scheduled++;
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const c = counts(typeOf.get(String(started.scheduledEventId)) ?? '?');
      c.attempts += started.attempt ?? 1;
      c.retries += (started.attempt ?? 1) - 1;
    }
    const timedOut = event.activityTaskTimedOutEventAttributes;
    if (timedOut) counts(typeOf.get(String(timedOut.scheduledEventId)) ?? '?').timeouts++;
    const failed = event.activityTaskFailedEventAttributes;
    if (failed) counts(typeOf.get(String(failed.scheduledEventId)) ?? '?').failures++;
    if (event.workflowTaskTimedOutEventAttributes) outcome.workflowTaskTimeouts++;
  }
}
