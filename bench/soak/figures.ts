/** The soak's printed figures: what ran, how the chaos went, what it cost in retries, and latency. */
import os from 'node:os';
import { attributeTimeouts } from './attribution';
import type { ChaosFigures } from './chaos';
import type { FleetFigures } from './fleet';
import type { ActivityCounts, VideoOutcome } from './outcomes';
import { CREATE_OUTCOME_UNKNOWN } from './verify';

export interface SoakFigures {
  outcomes: readonly VideoOutcome[];
  chaos: ChaosFigures;
  fleet: FleetFigures;
  cancelsDelivered: number;
  /** Paid creates by request key. */
  creates: ReadonlyMap<string, number>;
  /** From the first start to the last close. */
  wallMs: number;
  loadBefore: readonly number[];
}

export function formatFigures(f: SoakFigures): string[] {
  const ends = new Map<string, number>();
  for (const o of f.outcomes) {
    const end = o.status === 'COMPLETED' ? 'stored' : o.status === 'FAILED' ? (o.failureType ?? 'failed') : o.status;
    ends.set(end, (ends.get(end) ?? 0) + 1);
  }
  const kinds = new Map<string, number>();
  for (const o of f.outcomes) kinds.set(o.video.kind, (kinds.get(o.video.kind) ?? 0) + 1);
  const latencies = f.outcomes
    .filter((o) => o.status === 'COMPLETED' && o.latencyMs !== undefined)
    .map((o) => o.latencyMs!)
    .sort((a, b) => a - b);
  const startups = [...f.fleet.startupMs].sort((a, b) => a - b);
  const stored = ends.get('stored') ?? 0;
  const wallS = f.wallMs / 1000;
  return [
    `videos: ${f.outcomes.length} (${list(kinds)})`,
    `ends: ${list(ends)}; cancel signals delivered ${f.cancelsDelivered}; ${lostCreates(f)}`,
    `wall: ${wallS.toFixed(0)} s from the first start to the last close; throughput ${(stored / wallS).toFixed(2)} stored videos/s (${((stored / wallS) * 60).toFixed(0)}/min)`,
    `workflow latency (stored, start to close): p50 ${seconds(pct(latencies, 50))} p99 ${seconds(pct(latencies, 99))} max ${seconds(latencies.at(-1))}`,
    `chaos: ${f.chaos.kills} worker kills (-9, ${f.chaos.skipped} ticks spared the last ready worker), ${f.fleet.starts} worker starts ` +
      `(spawn to ready p50 ${seconds(pct(startups, 50))}, max ${seconds(startups.at(-1))}), ` +
      `${f.fleet.unexpectedExits.length} unexpected worker exits; ${f.chaos.serverRestarts} server restart(s) (-9, down ${seconds(f.chaos.serverDownMs)})`,
    `activities: ${activityLine(f.outcomes)}`,
    `timed-out last attempts: ${timeoutLine(f)}`,
    `workflow task timeouts: ${list(sumCounts(f.outcomes.map((o) => o.workflowTaskTimeouts))) || 'none'}`,
    `load average (1/5/15 min): before ${load(f.loadBefore)}, after ${load(os.loadavg())}; ${os.cpus().length} cores`,
  ];
}

/** Creates lost with their worker are never retried (never paid twice), but may have paid for a task nobody follows. */
function lostCreates(f: SoakFigures): string {
  const lost = f.outcomes.filter((o) => o.failureType === CREATE_OUTCOME_UNKNOWN);
  const paid = lost.filter((o) => (f.creates.get(o.video.requestKey) ?? 0) > 0).length;
  return `${lost.length} creates of unknown outcome (${paid} of them had created a task)`;
}

function timeoutLine(f: SoakFigures): string {
  const timeouts = attributeTimeouts(f.outcomes, f.fleet, f.chaos);
  if (timeouts.length === 0) return 'none';
  const byCause = new Map<string, number>();
  for (const t of timeouts) byCause.set(`${t.type} (${t.cause})`, (byCause.get(`${t.type} (${t.cause})`) ?? 0) + 1);
  const unexplained = timeouts
    .filter((t) => t.cause === 'unexplained')
    .map(
      (t) => `\n    ${t.workflowId}: ${t.type} on ${t.identity}, scheduled ${new Date(t.scheduledAtMs).toISOString()}`,
    );
  return list(byCause) + unexplained.join('');
}

function activityLine(outcomes: readonly VideoOutcome[]): string {
  const total = new Map<string, ActivityCounts>();
  for (const o of outcomes) {
    for (const [type, c] of Object.entries(o.activities)) {
      const t = total.get(type) ?? { scheduled: 0, attempts: 0, retries: 0, timeouts: 0, failures: 0 };
      t.scheduled += c.scheduled;
      t.attempts += c.attempts;
      t.retries += c.retries;
      t.timeouts += c.timeouts;
      t.failures += c.failures;
      total.set(type, t);
    }
  }
  return [...total]
    .map(
      ([type, c]) =>
        `${type} ${c.scheduled} scheduled, ${c.attempts} attempts (${c.retries} retries), ` +
        `finally ${c.timeouts} timed out and ${c.failures} failed`,
    )
    .join('; ');
}

function sumCounts(records: readonly Record<string, number>[]): Map<string, number> {
  const sum = new Map<string, number>();
  for (const record of records) for (const [key, n] of Object.entries(record)) sum.set(key, (sum.get(key) ?? 0) + n);
  return sum;
}

function list(counts: Map<string, number>): string {
  return [...counts].map(([name, n]) => `${name} ${n}`).join(', ');
}

function pct(sorted: readonly number[], p: number): number | undefined {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : undefined;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`;
}

function load(values: readonly number[]): string {
  return values.map((v) => v.toFixed(2)).join(' ');
}
