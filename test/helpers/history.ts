/**
 * Reading workflow histories in tests: every run of a workflow (following continue-as-new), the
 * history as decoded JSON text, event lookups, activity attempts and timer durations.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { historyToJson, type History } from '../../src/testing/history';

export { runsOf, continuedAsNewTo, type History, type Run } from '../../src/testing/history';
export type HistoryEvent = NonNullable<History['events']>[number];

/**
 * The history as JSON text with every payload's data decoded in place (inputs, results, failure
 * details, search attributes), so a grep for a secret finds it even though payloads are base64.
 */
export function historyText(history: History): string {
  return JSON.stringify(decodePayloads(JSON.parse(historyToJson(history))), null, 1);
}

function decodePayloads(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(decodePayloads);
  if (node === null || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  const isPayload = typeof record.data === 'string' && typeof record.metadata === 'object' && record.metadata !== null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (isPayload && key === 'data') out[key] = parseIfJson(Buffer.from(value as string, 'base64').toString('utf8'));
    else if (isPayload && key === 'metadata') out[key] = decodeBase64Fields(value);
    else out[key] = decodePayloads(value);
  }
  return out;
}

function decodeBase64Fields(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v]),
  );
}

function parseIfJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function events(history: History): HistoryEvent[] {
  return history.events ?? [];
}

/**
 * Status checks a run made, as its history records them: one per `checkStatus`, and the `reads`
 * each completed `pollStatus` reports (its attempts, less the deferred first one).
 */
export function statusChecksIn(history: History): number {
  const types = new Map<string, string>();
  let checks = 0;
  for (const e of events(history)) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const type = scheduled.activityType?.name ?? '';
      types.set(String(e.eventId), type);
      if (type === 'checkStatus') checks += 1;
    }
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed && types.get(String(completed.scheduledEventId)) === 'pollStatus') {
      const data = completed.result?.payloads?.[0]?.data;
      const result = JSON.parse(Buffer.from(data ?? new Uint8Array()).toString('utf8')) as { reads: number };
      checks += result.reads;
    }
  }
  return checks;
}

/** The activity type of each `ActivityTaskScheduled`, in order. */
export function scheduledActivities(history: History): string[] {
  return events(history)
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((name): name is string => typeof name === 'string');
}

/** `ActivityTaskStarted` events of one activity type: one per activity, carrying its last attempt number. */
export function startedAttempts(history: History, activityType: string): HistoryEvent[] {
  const scheduled = new Map<string, string>();
  for (const e of events(history)) {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name) scheduled.set(String(e.eventId), name);
  }
  return events(history).filter((e) => {
    const started = e.activityTaskStartedEventAttributes;
    return started && scheduled.get(String(started.scheduledEventId)) === activityType;
  });
}

export function countEvents(history: History, attribute: keyof HistoryEvent): number {
  return events(history).filter((e) => e[attribute] !== null && e[attribute] !== undefined).length;
}

/** The events of a workflow's (current run's) history. */
export async function historyEvents(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  return events(await handle.fetchHistory());
}

/** The events of one kind, e.g. `timerStartedEventAttributes`. */
export function eventsOf(events: HistoryEvent[], kind: keyof HistoryEvent): HistoryEvent[] {
  return events.filter((e) => e[kind] !== undefined && e[kind] !== null);
}

export function eventTimeMs(event: HistoryEvent): number {
  const t = event.eventTime;
  return Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);
}

/** A protobuf duration in ms. */
export function durationMs(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!d) return 0;
  return Number(d.seconds ?? 0) * 1000 + Math.round((d.nanos ?? 0) / 1e6);
}

/** Durations of the timers the workflow started, from its history, in ms. */
export async function timerDurations(client: Client, workflowId: string): Promise<number[]> {
  return eventsOf(await historyEvents(client.workflow.getHandle(workflowId)), 'timerStartedEventAttributes').map((e) =>
    durationMs(e.timerStartedEventAttributes!.startToFireTimeout),
  );
}

/** Activity attempts as the history records them: type and attempt of every ActivityTaskStarted, and how it ended. */
export function activityAttempts(events: HistoryEvent[]): { type: string; attempt: number; outcome: string }[] {
  const scheduled = new Map<string, string>();
  for (const e of events) {
    const attributes = e.activityTaskScheduledEventAttributes;
    if (attributes) scheduled.set(String(e.eventId), attributes.activityType?.name ?? '');
  }
  const outcomes = new Map<string, string>();
  for (const e of events) {
    const ended: [string, { startedEventId?: unknown } | null | undefined][] = [
      ['completed', e.activityTaskCompletedEventAttributes],
      ['failed', e.activityTaskFailedEventAttributes],
      ['timedOut', e.activityTaskTimedOutEventAttributes],
      ['canceled', e.activityTaskCanceledEventAttributes],
    ];
    const [outcome, attributes] = ended.find(([, a]) => a) ?? [];
    if (outcome && attributes) outcomes.set(String(attributes.startedEventId), outcome);
  }
  return events
    .filter((e) => e.activityTaskStartedEventAttributes)
    .map((e) => ({
      type: scheduled.get(String(e.activityTaskStartedEventAttributes!.scheduledEventId)) ?? '',
      attempt: e.activityTaskStartedEventAttributes!.attempt ?? 0,
      outcome: outcomes.get(String(e.eventId)) ?? 'pending',
    }));
}
