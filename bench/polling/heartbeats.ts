/**
 * Activity heartbeats per workflow, counted on the worker (heartbeats never appear in history).
 * `calls` is every `heartbeat()` the activity made; `sent` estimates what reached the server under
 * the SDK's throttle (the first at once, then at most one per throttle interval, the latest detail
 * of each interval sent at its end while the activity still runs).
 */
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

export interface HeartbeatCount {
  calls: number;
  sent: number;
}

export class HeartbeatCounter {
  readonly byWorkflow = new Map<string, HeartbeatCount>();

  constructor(private readonly throttleMs: number) {}

  /** An activity interceptor: wraps the context's heartbeat for the activity's lifetime. */
  readonly interceptor: ActivityInterceptorsFactory = (ctx: Context) => {
    const workflowId = ctx.info.workflowExecution?.workflowId ?? '';
    const count = this.byWorkflow.get(workflowId) ?? { calls: 0, sent: 0 };
    this.byWorkflow.set(workflowId, count);
    const throttleMs = this.throttleMs;
    let windowEnd = Number.NEGATIVE_INFINITY;
    let pending = false;
    const internal = ctx as unknown as { heartbeatFn: (details?: unknown) => void };
    const send = internal.heartbeatFn;
    internal.heartbeatFn = (details?: unknown) => {
      const now = Date.now();
      count.calls += 1;
      if (pending && now >= windowEnd) {
        count.sent += 1; // the throttled detail went out when its interval ended
        windowEnd += throttleMs;
        pending = false;
      }
      if (now >= windowEnd) {
        count.sent += 1;
        windowEnd = now + throttleMs;
      } else {
        pending = true;
      }
      send(details);
    };
    return {
      inbound: {
        async execute(input, next) {
          try {
            return await next(input);
          } finally {
            if (pending && Date.now() >= windowEnd) count.sent += 1;
          }
        },
      },
    };
  };
}
