/**
 * Faults the tests queue with `simulator.inject()`. Each matching request takes the first queued
 * fault for its target (FIFO) and spends one of its `times`; `persistent` faults never run out.
 */

export type FaultTarget = 'create' | 'status' | 'video';

interface Repeat {
  /** How many matching requests this fault applies to; default 1. */
  times?: number;
  /** Applies to every matching request until `clearFaults()`. */
  persistent?: boolean;
}

/** Answered at the gateway, before auth or validation: the request never reaches the API. */
export type GatewayFault = Repeat & { target: FaultTarget } & (
    | { kind: 'status'; code: number; body?: 'html' | 'json'; retryAfterSeconds?: number }
    /** 429; `retryAfterSeconds` defaults to 1, `null` sends no Retry-After. */
    | { kind: 'rateLimit'; retryAfterSeconds?: number | null }
    /** 200 with a body that is not JSON (`invalidJson`, default) or not the task schema (`wrongSchema`). */
    | { kind: 'malformed'; body?: 'invalidJson' | 'wrongSchema' }
    /** Never answers (until the client gives up or the simulator closes). */
    | { kind: 'hang' }
  );

/** Shape the file download; `afterBytes` counts bytes of this response's body. */
export type VideoFault = Repeat & { target?: 'video' } & (
    | { kind: 'reset'; afterBytes: number }
    | { kind: 'fin'; afterBytes: number }
    | { kind: 'stall'; afterBytes?: number }
    | { kind: 'trickle'; bytesPerInterval: number; intervalMs: number }
    | { kind: 'throttle'; bytesPerSecond: number }
    | { kind: 'ignoreRange' }
    /** The file changes from now on: new bytes (still a valid MP4), new ETag, new `videoSha256`. */
    | { kind: 'changeEtag' }
    | { kind: 'expired'; code?: 403 | 410 }
    | { kind: 'notMp4' }
    | { kind: 'truncatedMp4' }
    | { kind: 'oversize'; declaredBytes: number }
    | { kind: 'chunkedOversize'; totalBytes: number }
  );

/** The task is created, then the connection is destroyed before any response byte. */
export type CreateFault = Repeat & { target?: 'create'; kind: 'dropResponse' };

export type Fault = GatewayFault | VideoFault | CreateFault;
export type FaultKind = Fault['kind'];

const GATEWAY_KINDS: ReadonlySet<FaultKind> = new Set(['status', 'rateLimit', 'malformed', 'hang']);

export function isGatewayFault(fault: Fault): fault is GatewayFault {
  return GATEWAY_KINDS.has(fault.kind);
}

export function targetOf(fault: Fault): FaultTarget {
  if (isGatewayFault(fault)) return fault.target;
  return fault.kind === 'dropResponse' ? 'create' : 'video';
}

export class FaultQueue {
  private queue: { fault: Fault; left: number }[] = [];

  add(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`fault ${fault.kind}: times must be a positive integer`);
    if (fault.target !== undefined && fault.target !== targetOf(fault)) {
      throw new Error(`fault ${fault.kind} cannot target ${fault.target}`);
    }
    if (fault.kind === 'status' && !(Number.isInteger(fault.code) && fault.code >= 100 && fault.code <= 599)) {
      throw new Error(`fault status: ${fault.code} is not an HTTP status`);
    }
    this.queue.push({ fault, left: times });
  }

  /** The fault for the next request of this target, if any; spends one use. */
  take(target: FaultTarget): Fault | undefined {
    const index = this.queue.findIndex((q) => targetOf(q.fault) === target);
    const queued = this.queue[index];
    if (queued === undefined) return undefined;
    if (!queued.fault.persistent && --queued.left === 0) this.queue.splice(index, 1);
    return queued.fault;
  }

  clear(): void {
    this.queue = [];
  }

  get pending(): readonly Fault[] {
    return this.queue.map((q) => q.fault);
  }
}
