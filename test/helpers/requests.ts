/** Reading the simulator's request log: the oracle of what the workers asked the API and the file host. */
import type { AnySimulator, RequestLogEntry } from '../../src/simulator';

/** The status checks of this task, in arrival order. */
export function statusRequests(sim: AnySimulator, taskId: string): RequestLogEntry[] {
  return sim.requests.filter((r) => r.kind === 'status' && r.taskId === taskId);
}

/** The DELETEs of this task (ModelArk's cancel of a queued task), in arrival order. */
export function deleteRequests(sim: AnySimulator, taskId: string): RequestLogEntry[] {
  return sim.requests.filter((r) => r.kind === 'delete' && r.taskId === taskId);
}

/** The GETs of this task's file, in arrival order. */
export function videoRequests(sim: AnySimulator, taskId: string): RequestLogEntry[] {
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
export function bytesReServed(sim: AnySimulator, taskId: string): number {
  return videoRequests(sim, taskId).reduce((sum, r) => sum + r.bytesServed, 0) - sim.video.length;
}
