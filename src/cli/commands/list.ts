/**
 * `seedance-temporal list`: the package's workflows in the namespace (types `awaitSeedanceVideo`,
 * `generateSeedanceVideo`, `generateSeedanceVideos`), newest first, with their task, model and
 * `SeedanceStatus` where the search attributes are registered.
 */
import type { Command } from 'commander';
import { SeedanceModelKey, SeedanceStatusKey, SeedanceTaskIdKey } from '../../contract/definitions';
import { AWAIT_WORKFLOW_TYPE, GENERATE_BATCH_WORKFLOW_TYPE, GENERATE_WORKFLOW_TYPE } from '../../contract/names';
import { runAction, type CliIO } from '../context';
import { ExitCode, UsageError } from '../exit-codes';

interface Flags {
  status?: string;
  running?: boolean;
  query?: string;
  limit: string;
}

const TYPES = [AWAIT_WORKFLOW_TYPE, GENERATE_WORKFLOW_TYPE, GENERATE_BATCH_WORKFLOW_TYPE];
const SEEDANCE_STATUSES = [
  'queued',
  'processing',
  'downloading',
  'completed',
  'failed',
  'cancelled',
  'expired',
  'timed_out',
];

/** The visibility query `list` runs. Pure; exported for the tests. */
export function listQuery(flags: Pick<Flags, 'status' | 'running' | 'query'>): string {
  const clauses = [`WorkflowType IN (${TYPES.map((t) => `'${t}'`).join(', ')})`];
  if (flags.running) clauses.push(`ExecutionStatus = 'Running'`);
  if (flags.status !== undefined) {
    if (!SEEDANCE_STATUSES.includes(flags.status)) {
      throw new UsageError(`--status must be one of ${SEEDANCE_STATUSES.join(', ')}, not "${flags.status}"`);
    }
    clauses.push(`SeedanceStatus = '${flags.status}'`);
  }
  if (flags.query) clauses.push(`(${flags.query})`);
  return clauses.join(' AND ');
}

export function registerList(program: Command, io: CliIO): void {
  program
    .command('list')
    .description("list this package's workflows (newest first): id, type, state, task, model, SeedanceStatus")
    .option('--status <status>', `only this SeedanceStatus (${SEEDANCE_STATUSES.join(', ')})`)
    .option('--running', 'only running workflows')
    .option(
      '--query <visibility-query>',
      'a further visibility query, ANDed (e.g. "SeedanceModel=\'seedance_1_5_pro_1080p\'")',
    )
    .option('-n, --limit <n>', 'at most this many', '20')
    .action(async (flags: Flags, command: Command) =>
      runAction(io, command, async (context) => {
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number`);
        const query = listQuery(flags);
        const client = await context.client();
        const rows: Array<Record<string, string | null>> = [];
        for await (const execution of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
          const attributes = execution.typedSearchAttributes;
          rows.push({
            workflowId: execution.workflowId,
            type: execution.type,
            status: execution.status.name,
            startTime: execution.startTime.toISOString(),
            taskId: attributes.get(SeedanceTaskIdKey) ?? null,
            model: attributes.get(SeedanceModelKey) ?? null,
            seedanceStatus: attributes.get(SeedanceStatusKey) ?? null,
          });
          if (rows.length >= limit) break;
        }
        context.out.emit({ ok: true, query, workflows: rows });
        if (rows.length === 0) context.out.say('no workflows');
        for (const row of rows) {
          const task = row.taskId ? ` task ${row.taskId}` : '';
          const model = row.model ? ` ${row.model}` : '';
          const seedance = row.seedanceStatus ? ` (${row.seedanceStatus})` : '';
          context.out.say(
            `${row.startTime}  ${row.status!.padEnd(10)} ${row.type!.padEnd(22)} ${row.workflowId}${task}${model}${seedance}`,
          );
        }
        return ExitCode.Ok;
      }),
    );
}
