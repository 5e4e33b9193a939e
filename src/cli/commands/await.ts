/**
 * `seedance-temporal await <taskId>`: waits for a task's video. Joins the workflow that already
 * follows it (the task-id rule of `find-workflow.ts`); where none does, starts `awaitSeedanceVideo`
 * as `seedance-<taskId>` (joining a running one, never a second).
 */
import { Option, type Command } from 'commander';
import { startSeedanceVideo } from '../../client/start';
import { TASK_ID_PATTERN } from '../../seedance/schemas';
import type { AwaitSeedanceVideoInput, ServiceTier } from '../../contract/types';
import { runAction, type CliIO } from '../context';
import { CliError, ExitCode, UsageError } from '../exit-codes';
import { QUOTABLE_ID, findVideoWorkflow } from '../find-workflow';
import { outputFlagProblems } from '../generate-request';
import { waitForVideo } from './wait-for-video';

interface Flags {
  model?: string;
  fileName?: string;
  serviceTier?: ServiceTier;
  deadline?: string;
  wait: boolean;
}

export function registerAwait(program: Command, io: CliIO): void {
  program
    .command('await')
    .description("wait for a task's video: join the workflow that follows it, or start awaitSeedanceVideo")
    .argument('<taskId>', 'a Seedance task id (or the workflow id generate printed)')
    .option('-m, --model <model>', "the task's model, if known (else learned from the first check)")
    .option('--file-name <name>', "file name under the worker's output (default <taskId>.mp4)")
    .addOption(new Option('--service-tier <tier>', "the task's tier").choices(['default', 'flex']))
    .option('--deadline <duration>', "give up this long after the task's creation, e.g. 2h (default 6h)")
    .option('--no-wait', 'only start following it (print the workflow id)')
    .action(async (taskId: string, flags: Flags, command: Command) =>
      runAction(io, command, async (context) => {
        if (!TASK_ID_PATTERN.test(taskId) && !QUOTABLE_ID.test(taskId)) {
          throw new UsageError(`"${taskId}" is not a task id (letters, digits, "_" or "-")`);
        }
        const input = awaitInput(taskId, flags);
        const client = await context.client();
        const existing = await findVideoWorkflow(client, taskId).catch((error: unknown) => {
          if (error instanceof CliError && error.exitCode === ExitCode.NotFound) return undefined;
          throw error;
        });
        let handle;
        if (existing) {
          handle = existing.handle;
          context.out.say(`Following ${existing.workflowId}`);
        } else {
          if (!TASK_ID_PATTERN.test(taskId)) throw new UsageError(`"${taskId}" is not a Seedance task id`);
          const { taskQueue } = context.settings();
          handle = await startSeedanceVideo(client, input, { taskQueue });
          context.out.say(`Started ${handle.workflowId} on task queue ${taskQueue}`);
        }
        if (!flags.wait) {
          context.out.emit({ ok: true, workflowId: handle.workflowId });
          return ExitCode.Ok;
        }
        return waitForVideo(context, handle);
      }),
    );
}

function awaitInput(taskId: string, flags: Flags): AwaitSeedanceVideoInput {
  const problems = outputFlagProblems(flags);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  return {
    taskId,
    ...(flags.model ? { model: flags.model } : {}),
    ...(flags.fileName ? { fileName: flags.fileName } : {}),
    ...(flags.serviceTier ? { serviceTier: flags.serviceTier } : {}),
    ...(flags.deadline ? { deadline: flags.deadline } : {}),
  };
}
