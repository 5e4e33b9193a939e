/**
 * `seedance_videos_in_flight`: the video workflows running on the worker's task queue, counted by
 * Temporal's visibility store every `intervalMs`. A per-process up/down counter would drift: a
 * workflow started on one worker ends on another, and a restarted worker forgets what it started.
 * Visibility knows the fleet-wide truth (eventually consistent, seconds behind), so every worker
 * reports the same value; dashboards take `max()`.
 */
import { Client, type ConnectionLike } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import { AWAIT_WORKFLOW_TYPE, GENERATE_WORKFLOW_TYPE } from '../contract/names';
import { instrument } from './metrics';

export interface InFlightGaugeOptions {
  connection: ConnectionLike;
  namespace: string;
  taskQueue: string;
  /** The Runtime's meter (`Runtime.instance().metricMeter`). */
  meter: MetricMeter;
  /** @default 15_000 */
  intervalMs?: number;
  /** Told once when visibility cannot count (e.g. the time-skipping test server); counting goes on. */
  onError?: (error: unknown) => void;
}

/** The visibility query of the video workflows running on `taskQueue`. */
export function inFlightQuery(taskQueue: string): string {
  const queue = taskQueue.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  return `TaskQueue = '${queue}' AND ExecutionStatus = 'Running' AND WorkflowType IN ('${AWAIT_WORKFLOW_TYPE}', '${GENERATE_WORKFLOW_TYPE}')`;
}

/** Starts counting at once, then every `intervalMs`; the returned function stops it. */
export function startInFlightGauge(options: InFlightGaugeOptions): () => void {
  const client = new Client({ connection: options.connection, namespace: options.namespace });
  const gauge = instrument(options.meter, 'videosInFlight');
  const query = inFlightQuery(options.taskQueue);
  let told = false;
  let stopped = false;
  const update = async () => {
    try {
      const { count } = await client.workflow.count(query);
      if (!stopped) gauge.set(count, { taskQueue: options.taskQueue });
    } catch (error) {
      if (!told) options.onError?.(error);
      told = true;
    }
  };
  void update();
  const timer = setInterval(() => void update(), options.intervalMs ?? 15_000);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
