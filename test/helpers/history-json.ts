/**
 * History <-> JSON (the format of `temporal workflow show --output json` and of the committed
 * replay fixtures), using the protobufjs copy that `@temporalio/proto` itself loads.
 *
 * Why not `historyToJSON` / `historyFromJSON` from `@temporalio/common/lib/proto-utils`: in this
 * install npm keeps protobufjs@7 (for @grpc/proto-loader) at the top level and nests one copy of
 * protobufjs@8 under @temporalio/common and another under @temporalio/proto. The SDK functions
 * then pass a type of one copy to `protojson` of the other and throw "type must be a Type" (so
 * does `Worker.runReplayHistory` given a JSON history). Resolving protojson from the proto
 * package's own directory works in that layout and in a deduplicated one.
 */
import path from 'node:path';
import type * as protoTypes from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import type { History } from '@temporalio/common/lib/proto-utils';

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): History | null;
}


const proto = require('@temporalio/proto') as typeof protoTypes;
const protoDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;

const historyType = (patchProtobufRoot(proto as unknown as Record<string, unknown>) as unknown as {
  lookupType(name: string): unknown;
}).lookupType('temporal.api.history.v1.History');

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
