/**
 * How each planned workflow ended, read back from Temporal: status, result or failure type,
 * latency, and its activity attempts from the history (a retried activity records its last
 * attempt's number in ActivityTaskStarted).
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
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

/** An activity whose last attempt timed out: who had it, and when. */
export interface TimedOutActivity {
  type: string;
  /** The worker identity (`pid@host`) of the attempt that timed out. */
  identity: string;
  scheduledAtMs: number;
  timedOutAtMs: number;
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
  closedAt?: Date;
  activities: Record<string, ActivityCounts>;
  timedOut: TimedOutActivity[];
  /** By timeout type: SCHEDULE_TO_START is a sticky queue whose worker died, START_TO_CLOSE a task lost mid-way. */
  workflowTaskTimeouts: Record<string, number>;
  /** For a workflow still open: its pending activities, for the report. */
  pending?: string[];
}

export async function readOutcome(client: Client, video: PlannedVideo): Promise<VideoOutcome> {
  const handle = client.workflow.getHandle(video.workflowId);
  const description = await handle.describe();
  const status = description.status.name;
  const outcome: VideoOutcome = { video, status, activities: {}, timedOut: [], workflowTaskTimeouts: {} };
  if (description.closeTime) outcome.closedAt = description.closeTime;
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
  const scheduledAt = new Map<string, number>();
  const identityOf = new Map<string, string>();
  const counts = (type: string) =>
    (outcome.activities[type] ??= { scheduled: 0, attempts: 0, retries: 0, timeouts: 0, failures: 0 });
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const type = scheduled.activityType?.name ?? '?';
      typeOf.set(String(event.eventId), type);
      scheduledAt.set(String(event.eventId), eventMs(event));
      counts(type).scheduled++;
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const c = counts(typeOf.get(String(started.scheduledEventId)) ?? '?');
      c.attempts += started.attempt ?? 1;
      c.retries += (started.attempt ?? 1) - 1;
      identityOf.set(String(started.scheduledEventId), started.identity ?? '?');
    }
    const timedOut = event.activityTaskTimedOutEventAttributes;
    if (timedOut) {
      const id = String(timedOut.scheduledEventId);
      const type = typeOf.get(id) ?? '?';
      counts(type).timeouts++;
      outcome.timedOut.push({
        type,
        identity: identityOf.get(id) ?? '?',
        scheduledAtMs: scheduledAt.get(id) ?? Number.NaN,
        timedOutAtMs: eventMs(event),
      });
    }
    const failed = event.activityTaskFailedEventAttributes;
    if (failed) counts(typeOf.get(String(failed.scheduledEventId)) ?? '?').failures++;
    const wftTimeout = event.workflowTaskTimedOutEventAttributes;
    if (wftTimeout) {
      const type = temporal.api.enums.v1.TimeoutType[wftTimeout.timeoutType ?? 0]?.replace('TIMEOUT_TYPE_', '') ?? '?';
      outcome.workflowTaskTimeouts[type] = (outcome.workflowTaskTimeouts[type] ?? 0) + 1;
    }
  }
}

function eventMs(event: HistoryEvent): number {
  const t = event.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : Number.NaN;
}
