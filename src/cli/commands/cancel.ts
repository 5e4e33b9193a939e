/** `seedance-temporal cancel <taskId>`: sends the workflow's `cancel` signal (it ends `SeedanceWorkflowCancelled`). */
import type { Command } from 'commander';
import { cancelSignal } from '../../contract/definitions';
import { runAction, type CliIO } from '../context';
import { ExitCode, withErrorDetails } from '../exit-codes';
import { findVideoWorkflow } from '../find-workflow';

interface Flags {
  reason?: string;
  wait?: boolean;
}

export function registerCancel(program: Command, io: CliIO): void {
  program
    .command('cancel')
    .description(
      'stop a video: polling or the download stops, the partial file is removed, a queued ModelArk task is cancelled',
    )
    .argument('<taskId>', 'a Seedance task id, or a workflow id')
    .option('--reason <text>', 'why (kept in the failure and shown in the Web UI)')
    .option('-w, --wait', 'wait until the workflow has ended (exit 4 when it ended cancelled)')
    .action(async (taskId: string, flags: Flags, command: Command) =>
      runAction(io, command, async (context) => {
        const found = await findVideoWorkflow(await context.client(), taskId);
        const description = await found.handle.describe();
        if (description.status.name !== 'RUNNING') {
          context.out.say(`${found.workflowId} is already ${description.status.name}: nothing to cancel`);
          context.out.emit({
            ok: true,
            workflowId: found.workflowId,
            signalled: false,
            status: description.status.name,
          });
          return ExitCode.Ok;
        }
        await found.handle.signal(cancelSignal, flags.reason ? { reason: flags.reason } : {});
        context.out.say(`Cancel sent to ${found.workflowId}`);
        if (!flags.wait) {
          context.out.emit({ ok: true, workflowId: found.workflowId, signalled: true });
          return ExitCode.Ok;
        }
        await withErrorDetails(found.handle.result(), { workflowId: found.workflowId, signalled: true });
        context.out.say(`${found.workflowId} completed before the cancel took effect`);
        context.out.emit({ ok: true, workflowId: found.workflowId, signalled: true, completed: true });
        return ExitCode.Ok;
      }),
    );
}
