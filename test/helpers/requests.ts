/** Reading the simulator's request log: the oracle of what the workers asked the API and the file host. */
import type { RequestLogEntry, Simulator } from '../../src/simulator';

/** The status checks of this task, in arrival order. */
export function statusRequests(sim: Simulator, taskId: string): RequestLogEntry[] {
  return sim.requests.filter((r) => r.kind === 'status' && r.taskId === taskId);
}

/** The GETs of this task's file, in arrival order. */
export function videoRequests(sim: Simulator, taskId: string): RequestLogEntry[] {
  return sim.requests.filter((r) => r.kind === 'video' && r.taskId === taskId);
}

/** The time between consecutive entries of `times` (ms). */
export function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

/** The first byte a request asked for: 0 without a Range header. */
export function rangeStart(entry: RequestLogEntry): number {
  const match = /^bytes=(\d+)-$/.exec(entry.range ?? '');
  return match ? Number(match[1]) : 0;
}

/** Body bytes served for a task's video beyond one copy of the file. */
export function bytesReServed(sim: Simulator, taskId: string): number {
  return videoRequests(sim, taskId).reduce((sum, r) => sum + r.bytesServed, 0) - sim.video.length;
}
