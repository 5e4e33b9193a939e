/**
 * Reading workflow histories in tests: every run of a workflow (following continue-as-new), the
 * history as the JSON `temporal workflow show --output json` prints, and small event lookups.
 */
import type { Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { historyToJson } from './history-json';

export type { History };
export type HistoryEvent = NonNullable<History['events']>[number];

export interface Run {
  runId: string;
  history: History;
}

/** The runs of a workflow from `firstRunId` on, in order, following each continue-as-new. */
export async function runsOf(client: Client, workflowId: string, firstRunId: string): Promise<Run[]> {
  const runs: Run[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.push({ runId, history });
    runId = continuedAsNewTo(history);
    if (runs.length > 1_000) throw new Error(`runsOf: more than 1000 runs of ${workflowId}`);
  }
  return runs;
}

/** The run id the history continued as new to, if it did. */
export function continuedAsNewTo(history: History): string | undefined {
  const last = history.events?.at(-1);
  return last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
}

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
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v]));
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

/** Polls `probe` until it returns something other than undefined (real time). */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
