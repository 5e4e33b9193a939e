/** `seedance-temporal status <taskId>`: where a video's workflow is, from `describe` and its `status` query. */
import type { Command } from 'commander';
import type { WorkflowHandle } from '@temporalio/client';
import { batchStatusQuery, statusQuery } from '../../contract/definitions';
import { GENERATE_BATCH_WORKFLOW_TYPE } from '../../contract/names';
import type { SeedanceBatchStatus, SeedanceVideoResult, SeedanceVideoStatus } from '../../contract/types';
import { answerWithin } from '../answer-within';
import { runAction, type CliIO } from '../context';
import { describeWorkflowFailure, ExitCode } from '../exit-codes';
import { findVideoWorkflow } from '../find-workflow';
import { renderBatchLine, renderProgressLine } from '../progress-line';
import { storedLocation } from '../output';

const QUERY_TIMEOUT_MS = 5_000;

export function registerStatus(program: Command, io: CliIO): void {
  program
    .command('status')
    .description('show where the workflow of a task is (exit 0 whenever it is found, whatever its state)')
    .argument('<taskId>', 'a Seedance task id, or a workflow id')
    .action(async (taskId: string, _flags: unknown, command: Command) =>
      runAction(io, command, async (context) => {
        const found = await findVideoWorkflow(await context.client(), taskId);
        const description = await found.handle.describe();
        const running = description.status.name === 'RUNNING';
        const batch = description.type === GENERATE_BATCH_WORKFLOW_TYPE;
        const query: Promise<SeedanceBatchStatus | SeedanceVideoStatus> = batch
          ? found.handle.query(batchStatusQuery)
          : found.handle.query(statusQuery);
        const progress = await answerWithin(query, QUERY_TIMEOUT_MS);
        const end = running ? undefined : await outcome(found.handle);
        context.out.emit({
          ok: true,
          workflowId: found.workflowId,
          runId: description.runId,
          type: description.type,
          status: description.status.name,
          startTime: description.startTime.toISOString(),
          closeTime: description.closeTime?.toISOString() ?? null,
          progress: progress ?? null,
          ...end,
        });
        context.out.say(`${found.workflowId} (${description.type}): ${description.status.name}`);
        if (progress) {
          context.out.say(
            batch
              ? renderBatchLine(progress as unknown as SeedanceBatchStatus)
              : renderProgressLine(progress as unknown as SeedanceVideoStatus, { nowMs: Date.now() }),
          );
        } else if (running) {
          context.out.say('(no answer to the status query yet: is a worker running on its task queue?)');
        }
        if (end?.result && !batch) context.out.say(storedLocation((end.result as SeedanceVideoResult).video));
        if (end?.failure) context.out.say(`failed: ${end.failure.message} [${end.failure.type ?? 'unknown'}]`);
        return ExitCode.Ok;
      }),
    );
}

async function outcome(
  handle: WorkflowHandle,
): Promise<{ result?: unknown; failure?: { type: string | null; message: string } }> {
  try {
    return { result: await handle.result() };
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const { type, message } = describeWorkflowFailure(cause);
    return { failure: { type, message } };
  }
}
