/**
 * What one provider callback means: which workflow it is for, and whether it is worth a `checkNow`
 * signal. Pure (no I/O, no clock): the relay adds deduplication and the signal, the HTTP server
 * adds the transport.
 *
 * ModelArk POSTs its task object (the GET body) to the create's `callback_url` on each status
 * change. Nothing signs it, so it is a hint: only its `id` and `status` are read, and the workflow
 * confirms with a status read of its own.
 */
import { z } from 'zod';
import type { CheckNowInput, TaskStatus } from '../contract/types';
import { workflowIdForTask } from '../contract/names';
import { taskIdSchema } from '../seedance/schemas';
import { MODELARK_TASK_STATUSES } from '../seedance/modelark/schemas';
import { STATUS_FROM_MODELARK } from '../seedance/modelark/task';
import { carriesSignedWorkflowId, verifiedWorkflowId } from './callback-url';

/**
 * Statuses that change nothing for a waiting workflow: it ignores such hints (no read), so a signal
 * would only cost a history event. Acknowledged and dropped.
 */
const NOT_WORTH_A_SIGNAL: ReadonlySet<TaskStatus> = new Set(['queued', 'processing']);

/** The callback's body: only the fields the receiver reads; the rest of the task object is ignored. */
const callbackBodySchema = z.object({
  id: taskIdSchema,
  status: z.enum(MODELARK_TASK_STATUSES),
});

export interface CallbackRequest {
  /** The request URL's query: carries the signed workflow id when the create sent a signed URL. */
  query: URLSearchParams;
  /** The parsed JSON body. */
  body: unknown;
}

export interface HandleCallbackOptions {
  /** The key `signedCallbackUrl` signed with (`SEEDANCE_CALLBACK_SECRET` or `deriveCallbackSecret`). */
  secret: string;
}

/** The `checkNow` signal a callback turns into. */
export interface CallbackSignal {
  workflowId: string;
  input: CheckNowInput & { source: 'callback'; taskId: string; status: TaskStatus };
}

/** How the target workflow was found: a valid signed workflow id, or `seedance-<taskId>`. */
export type CallbackRoute = 'signed-url' | 'task-id';

/** A body the receiver cannot read: answered 400, nothing signalled. */
export interface RejectedCallback {
  httpStatus: 400;
  /** What is wrong, safe to send back and log (never the body itself). */
  problem: string;
}

/** A readable callback: answered 200 once its signal (if any) is sent or its workflow is known not to exist. */
export interface AcceptedCallback {
  httpStatus: 200;
  workflowId: string;
  route: CallbackRoute;
  /** The query carried a workflow id or signature that did not verify (forged, or signed with another key). */
  badSignature: boolean;
  taskId: string;
  status: TaskStatus;
  /** Absent for `queued` and `processing`: nothing for the workflow to check. */
  signal?: CallbackSignal;
}

export type CallbackDecision = RejectedCallback | AcceptedCallback;

/**
 * Decides what a callback is for. The target is the workflow a valid signed URL names, else
 * `seedance-<taskId>` (the `awaitSeedanceVideo` convention); a forged signature falls back to the
 * latter, so it can only reach the workflow that follows the task the body names.
 *
 * @example
 * handleCallback({ query: new URLSearchParams(), body: { id: 'cgt-1', status: 'succeeded' } }, { secret })
 * // { httpStatus: 200, workflowId: 'seedance-cgt-1', route: 'task-id', ..., signal: { workflowId: 'seedance-cgt-1',
 * //   input: { source: 'callback', taskId: 'cgt-1', status: 'completed' } } }
 */
export function handleCallback(request: CallbackRequest, options: HandleCallbackOptions): CallbackDecision {
  const parsed = callbackBodySchema.safeParse(request.body);
  if (!parsed.success) return { httpStatus: 400, problem: describeProblem(parsed.error, request.body) };
  const taskId = parsed.data.id;
  const status = STATUS_FROM_MODELARK[parsed.data.status];
  const signed = verifiedWorkflowId(request.query, options.secret);
  const workflowId = signed ?? workflowIdForTask(taskId);
  const accepted: AcceptedCallback = {
    httpStatus: 200,
    workflowId,
    route: signed === undefined ? 'task-id' : 'signed-url',
    badSignature: signed === undefined && carriesSignedWorkflowId(request.query),
    taskId,
    status,
  };
  if (NOT_WORTH_A_SIGNAL.has(status)) return accepted;
  return { ...accepted, signal: { workflowId, input: { source: 'callback', taskId, status } } };
}

function describeProblem(error: z.ZodError, body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body is not a JSON object';
  const fields = [...new Set(error.issues.map((issue) => String(issue.path[0] ?? 'body')))];
  const what: Record<string, string> = {
    id: '"id" is not a task id',
    status: `"status" is not one of ${MODELARK_TASK_STATUSES.join(', ')}`,
  };
  return fields.map((field) => what[field] ?? `"${field}" is invalid`).join('; ');
}
