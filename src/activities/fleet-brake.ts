/**
 * A 429 slows the whole fleet, not only the workflow that met it. With an API budget the API calls
 * run on one task queue, and Temporal's task-queue config (`UpdateTaskQueueConfig`) sets a rate
 * limit for that queue which every worker polling it obeys and which overrides the workers' own
 * `maxTaskQueueActivitiesPerSecond`. The worker whose call met the 429 lowers that limit to a
 * fraction of its usual rate until the provider's `Retry-After` has passed, then lifts it, so the
 * workers' budget applies again. Best effort: a namespace that refuses the call (no permission,
 * an older server) keeps the per-call retry after `Retry-After`, which always applies.
 *
 * The brake's end time is written in the config's `reason`, so any worker can tell whether a brake
 * is still due, a later 429 extends it, and a lift never ends a brake another worker set later.
 */
import { Context } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';

/** The queue rate's share left while braking. */
const BRAKE_FACTOR = 0.5;
/** A brake holds at least this long, also when the provider sent no `Retry-After`. */
const MIN_HOLD_MS = 5_000;
const REASON_PREFIX = 'seedance: provider answered 429; braking until ';

type WorkflowService = Context['client']['workflowService'];

interface QueueRef {
  service: WorkflowService;
  namespace: string;
  taskQueue: string;
}

export class FleetBrake {
  /**
   * @param apiTaskQueue the budgeted queue: calls on any other queue (older runs) never brake it.
   * @param queueRate the queue's rate limit outside a brake (see `apiQueueRateLimit`).
   */
  constructor(
    private readonly apiTaskQueue: string,
    private readonly queueRate: number,
  ) {}

  /** Called by an API activity that met a 429. Never throws. */
  async engage(retryAfterMs: number | undefined): Promise<void> {
    const context = Context.current();
    const ref = queueOf(context);
    if (ref.taskQueue !== this.apiTaskQueue) return;
    const until = Date.now() + Math.max(retryAfterMs ?? 0, MIN_HOLD_MS);
    try {
      const current = await brakeUntil(ref);
      if (current !== undefined && current >= until) return;
      await setQueueLimit(ref, this.queueRate * BRAKE_FACTOR, `${REASON_PREFIX}${new Date(until).toISOString()}`);
      context.log.warn('the provider rate-limited us: slowing the whole fleet', {
        taskQueue: ref.taskQueue,
        requestsPerSecond: this.queueRate * BRAKE_FACTOR,
        until: new Date(until).toISOString(),
      });
      setTimeout(() => void lift(ref), until - Date.now() + 100).unref();
    } catch {
      // No permission or no support: the per-call Retry-After still applies.
    }
  }
}

/** Lifts the brake if it is ours and due. */
async function lift(ref: QueueRef): Promise<void> {
  try {
    const until = await brakeUntil(ref);
    if (until === undefined || until > Date.now()) return;
    await ref.service.updateTaskQueueConfig({
      namespace: ref.namespace,
      taskQueue: ref.taskQueue,
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      identity: 'seedance-temporal',
      updateQueueRateLimit: { reason: 'seedance: brake lifted' },
    });
  } catch {
    // Lifted by the next 429's timer, or by a person with `temporal task-queue config set`.
  }
}

function queueOf(context: Context): QueueRef {
  return {
    service: context.client.workflowService,
    namespace: context.info.workflowNamespace ?? 'default',
    taskQueue: context.info.taskQueue,
  };
}

/** When the brake in force ends (ms), or undefined when no seedance brake is set. */
async function brakeUntil(ref: QueueRef): Promise<number | undefined> {
  const described = await ref.service.describeTaskQueue({
    namespace: ref.namespace,
    taskQueue: { name: ref.taskQueue },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    reportConfig: true,
  });
  const limit = described.config?.queueRateLimit;
  const reason = limit?.metadata?.reason ?? '';
  if (!limit?.rateLimit || !reason.startsWith(REASON_PREFIX)) return undefined;
  const until = Date.parse(reason.slice(REASON_PREFIX.length));
  return Number.isFinite(until) ? until : undefined;
}

async function setQueueLimit(ref: QueueRef, requestsPerSecond: number, reason: string): Promise<void> {
  await ref.service.updateTaskQueueConfig({
    namespace: ref.namespace,
    taskQueue: ref.taskQueue,
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    identity: 'seedance-temporal',
    updateQueueRateLimit: { rateLimit: { requestsPerSecond }, reason },
  });
}
