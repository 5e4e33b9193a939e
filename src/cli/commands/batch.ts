/**
 * `seedance-temporal batch <file.json>`: starts `generateSeedanceVideos` (children at most
 * `--max-concurrent` at once), and with `--wait` follows its `batchStatus` to every item's outcome.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { startGenerateSeedanceVideos } from '../../client/start';
import type { BatchItemOutcome } from '../../contract/types';
import { parseBatchFile } from '../batch-file';
import { runAction, type CliIO } from '../context';
import { ExitCode, UsageError, withErrorDetails } from '../exit-codes';
import { followBatch } from '../follow-batch';
import { DEFAULT_MODEL, type GenerateOptions } from '../generate-request';
import { storedLocation } from '../output';

interface Flags {
  model: string;
  ratio?: string;
  duration?: string;
  resolution?: string;
  maxConcurrent?: string;
  deadline?: string;
  workflowId?: string;
  wait?: boolean;
}

export function registerBatch(program: Command, io: CliIO): void {
  program
    .command('batch')
    .description('start generateSeedanceVideos for the prompts or items in a JSON file')
    .argument(
      '<file.json>',
      '["prompt", ...], [{"prompt": "...", "fileName": "..."}], [{"request": {...}}] or {"items": [...], "maxConcurrent": 10}',
    )
    .option('-m, --model <model>', 'model for plain prompts', DEFAULT_MODEL)
    .option('-r, --ratio <ratio>', 'ratio for plain prompts')
    .option('-d, --duration <seconds>', 'duration for plain prompts')
    .option('--resolution <resolution>', 'resolution for plain prompts (ModelArk)')
    .option('-c, --max-concurrent <n>', "videos generated at once, 1-100 (default: the file's, else 10)")
    .option('--deadline <duration>', "each video's deadline, e.g. 2h (default 6h)")
    .option('--workflow-id <id>', 'start under this id; starting again with it joins the same batch')
    .option('-w, --wait', 'follow the batch with a live line of counts, then list every item')
    .action(async (file: string, flags: Flags, command: Command) =>
      runAction(io, command, async (context) => {
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (error) {
          throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
        }
        const requestOptions: GenerateOptions = {
          model: flags.model,
          ...(flags.ratio ? { ratio: flags.ratio } : {}),
          ...(flags.duration ? { duration: flags.duration } : {}),
          ...(flags.resolution ? { resolution: flags.resolution } : {}),
        };
        const input = parseBatchFile(text, file, requestOptions, flags);
        const client = await context.client();
        const { taskQueue } = context.settings();
        const handle = await startGenerateSeedanceVideos(client, input, {
          taskQueue,
          ...(flags.workflowId ? { workflowId: flags.workflowId } : {}),
        });
        context.out.say(`Started ${handle.workflowId} (${input.items.length} videos) on task queue ${taskQueue}`);
        if (!flags.wait) {
          context.out.emit({ ok: true, workflowId: handle.workflowId, items: input.items.length, taskQueue });
          context.out.say(`Watch it with: seedance-temporal status ${handle.workflowId}`);
          return ExitCode.Ok;
        }
        const result = await withErrorDetails(followBatch(handle, context.line), { workflowId: handle.workflowId });
        for (const item of result.items) context.out.say(describeItem(item));
        context.out.say(
          `${result.completed} stored, ${result.failed} failed, ${result.cancelled} cancelled of ${result.total}`,
        );
        const complete = result.completed === result.total;
        context.out.emit({ ok: complete, workflowId: handle.workflowId, ...result });
        return complete ? ExitCode.Ok : ExitCode.BatchIncomplete;
      }),
    );
}

function describeItem(item: BatchItemOutcome): string {
  switch (item.phase) {
    case 'completed':
      return `#${item.index} ${storedLocation(item.result.video)}`;
    case 'failed':
    case 'cancelled':
      return `#${item.index} ${item.phase}: ${item.failure.message} [${item.failure.type ?? 'unknown'}]`;
    default:
      return `#${item.index} ${item.phase}`;
  }
}
