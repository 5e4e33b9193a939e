/**
 * Faults the tests queue with `simulator.inject()`. Each matching request takes the first queued
 * fault for its target (FIFO) and spends one of its `times`; `persistent` faults never run out.
 * The same faults work in both provider modes; `list`, `delete` and `lastFrame` exist only in the
 * ModelArk mode (a fault queued for them in the reseller mode is never taken).
 */

export type FaultTarget = 'create' | 'status' | 'list' | 'delete' | 'video' | 'lastFrame';

interface Repeat {
  /** How many matching requests this fault applies to; default 1. */
  times?: number;
  /** Applies to every matching request until `clearFaults()`. */
  persistent?: boolean;
}

/** Answered at the gateway, before auth or validation: the request never reaches the API. */
export type GatewayFault = Repeat & { target: FaultTarget } & (
    | {
        kind: 'status';
        code: number;
        body?: 'html' | 'json';
        retryAfterSeconds?: number;
        /** ModelArk: the envelope's `error.code` of a JSON body (default by status, e.g. 500 `InternalServiceError`). */
        errorCode?: string;
      }
    /**
     * 429. Reseller: `retryAfterSeconds` defaults to 1, `null` sends no Retry-After. ModelArk
     * documents no Retry-After, so there it is sent only when `retryAfterSeconds` is a number.
     */
    | { kind: 'rateLimit'; retryAfterSeconds?: number | null; errorCode?: ModelArkRateLimitCode }
    /** 200 with a body that is not JSON (`invalidJson`, default) or not the task schema (`wrongSchema`). */
    | { kind: 'malformed'; body?: 'invalidJson' | 'wrongSchema' }
    /** Never answers (until the client gives up or the simulator closes). */
    | { kind: 'hang' }
  );

/** The documented ModelArk 429 codes (shared/modelark-api.md section 7); default `RateLimitExceeded.EndpointRPMExceeded`. */
export type ModelArkRateLimitCode =
  | 'RateLimitExceeded.EndpointRPMExceeded'
  | 'RateLimitExceeded.EndpointTPMExceeded'
  | 'ModelAccountRpmRateLimitExceeded'
  | 'ModelAccountTpmRateLimitExceeded'
  | 'ModelAccountIpmRateLimitExceeded'
  | 'APIAccountRpmRateLimitExceeded'
  | 'AccountRateLimitExceeded'
  | 'QuotaExceeded'
  | 'ServerOverloaded'
  | 'RequestBurstTooFast'
  | 'SetLimitExceeded'
  | 'InflightBatchsizeExceeded';

/**
 * Shape a file download; `afterBytes` counts bytes of this response's body. Every kind targets the
 * video (the default); the transport ones also target the ModelArk last-frame PNG (`lastFrame`).
 */
export type VideoFault = Repeat & { target?: 'video' | 'lastFrame' } & (
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

/**
 * The request takes effect, then the connection is destroyed before any response byte: a create
 * makes its task (default target), a ModelArk delete cancels or deletes its task.
 */
export type CreateFault = Repeat & { target?: 'create' | 'delete'; kind: 'dropResponse' };

export type Fault = GatewayFault | VideoFault | CreateFault;
export type FaultKind = Fault['kind'];

const GATEWAY_KINDS: ReadonlySet<FaultKind> = new Set(['status', 'rateLimit', 'malformed', 'hang']);
/** Video faults about the MP4 itself, meaningless for a PNG. */
const MP4_ONLY_KINDS: ReadonlySet<FaultKind> = new Set(['changeEtag', 'notMp4', 'truncatedMp4']);

export function isGatewayFault(fault: Fault): fault is GatewayFault {
  return GATEWAY_KINDS.has(fault.kind);
}

export function targetOf(fault: Fault): FaultTarget {
  if (isGatewayFault(fault)) return fault.target;
  if (fault.kind === 'dropResponse') return fault.target ?? 'create';
  return fault.target ?? 'video';
}

function allowedTargets(fault: Fault): readonly FaultTarget[] {
  if (isGatewayFault(fault)) return ['create', 'status', 'list', 'delete', 'video', 'lastFrame'];
  if (fault.kind === 'dropResponse') return ['create', 'delete'];
  return MP4_ONLY_KINDS.has(fault.kind) ? ['video'] : ['video', 'lastFrame'];
}

export class FaultQueue {
  private queue: { fault: Fault; left: number }[] = [];

  add(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`fault ${fault.kind}: times must be a positive integer`);
    if (!allowedTargets(fault).includes(targetOf(fault))) {
      throw new Error(`fault ${fault.kind} cannot target ${targetOf(fault)}`);
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
