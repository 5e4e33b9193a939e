/**
 * Which workflow a `<taskId>` argument means. The rule (README, "Terminal command"):
 *
 * 1. `seedance-<taskId>`: the workflow id convention of `awaitSeedanceVideo` (and of `await`).
 * 2. The newest workflow whose `SeedanceTaskId` search attribute is `<taskId>`: a
 *    `generateSeedanceVideo` run (id `seedance-generate-<uuid>`) learns its task id only after the
 *    create, and shows it there (when the namespace has the search attributes registered).
 * 3. A workflow whose id is the argument itself (`seedance-generate-...`, `seedance-batch-...`):
 *    what `generate` prints before the task exists.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { workflowIdForTask } from '../contract/names';
import { CliError, ExitCode } from './exit-codes';

export interface FoundWorkflow {
  workflowId: string;
  /** Which step of the rule found it. */
  via: 'task-id-convention' | 'search-attribute' | 'workflow-id';
  handle: WorkflowHandle;
}

/** Task ids and workflow ids the visibility query may quote safely. */
export const QUOTABLE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}$/;

/** The workflow `id` names. @throws CliError with {@link ExitCode.NotFound} when none does. */
export async function findVideoWorkflow(client: Client, id: string): Promise<FoundWorkflow> {
  const byConvention = workflowIdForTask(id);
  if (await exists(client, byConvention)) {
    return { workflowId: byConvention, via: 'task-id-convention', handle: client.workflow.getHandle(byConvention) };
  }
  const bySearch = await findBySearchAttribute(client, id);
  if (bySearch) return { workflowId: bySearch, via: 'search-attribute', handle: client.workflow.getHandle(bySearch) };
  if (await exists(client, id)) return { workflowId: id, via: 'workflow-id', handle: client.workflow.getHandle(id) };
  throw new CliError(
    `no workflow follows ${id}: none has id ${byConvention} or ${id}, and none has SeedanceTaskId='${id}' ` +
      '(that needs the search attributes registered, see the README)',
    ExitCode.NotFound,
    'WorkflowNotFound',
  );
}

/** The newest workflow with `SeedanceTaskId = id`, if the namespace can tell. */
export async function findBySearchAttribute(client: Client, id: string): Promise<string | undefined> {
  if (!QUOTABLE_ID.test(id)) return undefined;
  let newest: { workflowId: string; startMs: number } | undefined;
  try {
    for await (const execution of client.workflow.list({ query: `SeedanceTaskId = '${id}'`, pageSize: 20 })) {
      const startMs = execution.startTime.getTime();
      if (!newest || startMs > newest.startMs) newest = { workflowId: execution.workflowId, startMs };
    }
  } catch (error) {
    // The attribute is not registered in this namespace: step 2 cannot apply.
    if (/SeedanceTaskId|invalid query|not defined|unknown/i.test(error instanceof Error ? error.message : '')) {
      return undefined;
    }
    throw error;
  }
  return newest?.workflowId;
}

async function exists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}
