/**
 * Temporal Cloud billable actions of one run, counted from its event history by the rules of
 * https://docs.temporal.io/cloud/actions (read 2026, "Temporal Cloud Actions"):
 * - workflow started (client start, continue-as-new, child start): 1 per WorkflowExecutionStarted;
 * - activity started or retried: 1 per ActivityTaskScheduled, plus attempt - 1 from the
 *   ActivityTaskStarted event (intermediate retries write no events; the started event carries
 *   the last attempt number);
 * - local activities: all RecordMarker commands of one workflow task count as 1, so 1 per workflow
 *   task that recorded any marker (this counts `patched()` markers too: the page does not exempt
 *   them, only the TemporalChangeVersion search attribute);
 * - timer started (including `condition` with a timeout): 1 per TimerStarted;
 * - signal: 1 per WorkflowExecutionSignaled; search-attribute upsert: 1 per
 *   UpsertWorkflowSearchAttributes, except those that set only `TemporalChangeVersion` (the SDK's
 *   record of `patched()`, exempt by the page); update accepted: 1 each;
 * - activity heartbeats count only when they reach the server: they are not in history, so the
 *   benchmark adds what the worker sent (see heartbeats.ts).
 * Queries are billable but the benchmark sends none.
 */
import type { History } from '../../src/testing/history';

export interface ActionCount {
  total: number;
  workflowStarts: number;
  activitySchedules: number;
  activityRetries: number;
  markerTasks: number;
  timers: number;
  signals: number;
  upserts: number;
  updates: number;
  /** Schedules plus retries, by activity type (to tell the download from the polling). */
  byActivity: Record<string, number>;
}

type HistoryEvent = NonNullable<History['events']>[number];

export function countActions(events: HistoryEvent[]): ActionCount {
  const count: ActionCount = {
    total: 0,
    workflowStarts: 0,
    activitySchedules: 0,
    activityRetries: 0,
    markerTasks: 0,
    timers: 0,
    signals: 0,
    upserts: 0,
    updates: 0,
    byActivity: {},
  };
  const typeOf = new Map<string, string>();
  const tasksWithMarkers = new Set<string>();
  for (const e of events) {
    if (e.workflowExecutionStartedEventAttributes) count.workflowStarts += 1;
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const type = scheduled.activityType?.name ?? '';
      typeOf.set(String(e.eventId), type);
      count.activitySchedules += 1;
      count.byActivity[type] = (count.byActivity[type] ?? 0) + 1;
    }
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const retries = Math.max(0, (started.attempt ?? 1) - 1);
      const type = typeOf.get(String(started.scheduledEventId)) ?? '';
      count.activityRetries += retries;
      count.byActivity[type] = (count.byActivity[type] ?? 0) + retries;
    }
    if (e.markerRecordedEventAttributes) {
      tasksWithMarkers.add(String(e.markerRecordedEventAttributes.workflowTaskCompletedEventId));
    }
    if (e.timerStartedEventAttributes) count.timers += 1;
    if (e.workflowExecutionSignaledEventAttributes) count.signals += 1;
    const upsert = e.upsertWorkflowSearchAttributesEventAttributes;
    const fields = Object.keys(upsert?.searchAttributes?.indexedFields ?? {});
    if (upsert && fields.some((name) => name !== 'TemporalChangeVersion')) count.upserts += 1;
    if (e.workflowExecutionUpdateAcceptedEventAttributes) count.updates += 1;
  }
  count.markerTasks = tasksWithMarkers.size;
  count.total =
    count.workflowStarts +
    count.activitySchedules +
    count.activityRetries +
    count.markerTasks +
    count.timers +
    count.signals +
    count.upserts +
    count.updates;
  return count;
}
