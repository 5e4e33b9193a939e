/**
 * Workflow histories for replay tests: every run of a workflow (following continue-as-new), and
 * history <-> JSON in the format of `temporal workflow show --output json`, which is what a
 * replay fixture on disk holds.
 *
 * @example
 * // Capture: write each run's history next to your tests.
 * for (const run of await runsOf(client, handle.workflowId, handle.firstExecutionRunId)) {
 *   await fs.writeFile(`histories/${run.runId}.json`, historyToJson(run.history));
 * }
 * // Replay: every fixture against the current workflow code.
 * await Worker.runReplayHistory({ workflowsPath }, historyFromJson(await fs.readFile(file, 'utf8')));
 *
 * Why not `historyToJSON` / `historyFromJSON` from `@temporalio/common/lib/proto-utils`: when npm
 * keeps protobufjs@7 at the top level (for @grpc/proto-loader) and nests protobufjs@8 copies under
 * @temporalio/common and @temporalio/proto, the SDK functions pass a type of one copy to
 * `protojson` of the other and throw "type must be a Type" (so does `Worker.runReplayHistory`
 * given a JSON history). Resolving protojson from the proto package's own directory works in that
 * layout and in a deduplicated one.
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import type * as protoTypes from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

export type { History };

/** One run of a workflow execution and its history. */
export interface Run {
  runId: string;
  history: History;
}

/** The runs of a workflow from `firstRunId` on, in order, following each continue-as-new. */
export async function runsOf(client: Client, workflowId: string, firstRunId: string): Promise<Run[]> {
  const runs: Run[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.push({ runId, history });
    runId = continuedAsNewTo(history);
    if (runs.length > 1_000) throw new Error(`runsOf: more than 1000 runs of ${workflowId}`);
  }
  return runs;
}

/** The run id the history continued as new to, if it did. */
export function continuedAsNewTo(history: History): string | undefined {
  const last = history.events?.at(-1);
  return last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
}

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): History | null;
}

const proto = require('@temporalio/proto') as typeof protoTypes;
const protoDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;

const historyType = (
  patchProtobufRoot(proto as unknown as Record<string, unknown>) as unknown as {
    lookupType(name: string): unknown;
  }
).lookupType('temporal.api.history.v1.History');

/** A fetched history as JSON text (eventIds as strings, enums as `EVENT_TYPE_...`). */
export function historyToJson(history: History): string {
  const message = proto.temporal.api.history.v1.History.fromObject(history as Record<string, unknown>);
  return JSON.stringify(protojson.toJson(historyType, message), null, 2);
}

/** A history object the replayer takes, from JSON text or an already parsed object. */
export function historyFromJson(json: string | object): History {
  const parsed: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  const history = protojson.fromJson(historyType, parsed, { ignoreUnknownFields: true });
  if (!history) throw new TypeError('not a history');
  return history;
}
