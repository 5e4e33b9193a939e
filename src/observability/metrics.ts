/**
 * The package's own metric series, named and described in one place. They are recorded through
 * the SDK's metric meters (the activity context's, the workflow's replay-safe `metricMeter`, the
 * Runtime's), so they come out wherever the SDK's own `temporal_*` series go: the Prometheus
 * endpoint of `SEEDANCE_PROMETHEUS_ADDRESS`, or an OpenTelemetry collector of your Runtime.
 *
 * Pure data and one helper, no Node import: workflow code records through it too. Labels are
 * bounded on purpose (status, model, failure type, outcome): never a task id or a URL. The SDK
 * adds its own labels (namespace, taskQueue, activityType or workflowType).
 */
import type { MetricCounter, MetricGauge, MetricHistogram, MetricMeter } from '@temporalio/common';

interface SeriesBase {
  readonly name: `seedance_${string}`;
  readonly description: string;
  /** The labels this package sets (the SDK adds namespace, taskQueue, activityType or workflowType). */
  readonly labels: readonly string[];
  /** Where it is recorded (for the README's table). */
  readonly recordedBy: string;
}

export type SeriesSpec =
  | (SeriesBase & { readonly kind: 'counter' })
  | (SeriesBase & { readonly kind: 'gauge' })
  | (SeriesBase & { readonly kind: 'histogram'; readonly unit: string; readonly buckets: readonly number[] });

export const SERIES = {
  statusChecks: {
    name: 'seedance_status_checks_total',
    kind: 'counter',
    description:
      'Status reads of Seedance tasks, by the status they found (queued, processing, completed, failed, cancelled, expired) or `error`',
    labels: ['status', 'model'],
    recordedBy: 'checkStatus (also each pollStatus attempt)',
  },
  videoCompletion: {
    name: 'seedance_video_completion_seconds',
    kind: 'histogram',
    unit: 's',
    description: "Time from the task's creation (API `created`) to its video stored, per model",
    labels: ['model'],
    buckets: [30, 60, 90, 120, 180, 240, 300, 450, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400],
    recordedBy: 'the workflow, once its video is stored',
  },
  videosFinished: {
    name: 'seedance_videos_finished_total',
    kind: 'counter',
    description:
      'Video workflows ended, by outcome (completed, failed, cancelled) and failure type (`none` when completed)',
    labels: ['outcome', 'failure_type', 'model'],
    recordedBy: 'the workflow, at its end (not at continue-as-new)',
  },
  videosInFlight: {
    name: 'seedance_videos_in_flight',
    kind: 'gauge',
    description:
      'Video workflows running on this task queue (from Temporal visibility, so every worker reports the fleet-wide count: use max())',
    labels: ['taskQueue'],
    recordedBy: 'the worker process, every 15 s',
  },
  downloadBytes: {
    name: 'seedance_download_bytes_total',
    kind: 'counter',
    description: 'Video bytes received from the file host (resumed attempts count only what they fetched)',
    labels: ['model'],
    recordedBy: 'downloadVideo',
  },
  downloadSeconds: {
    name: 'seedance_download_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of downloadVideo attempts, by result (stored, failed)',
    labels: ['result'],
    buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
    recordedBy: 'downloadVideo',
  },
  downloadResumes: {
    name: 'seedance_download_resumes_total',
    kind: 'counter',
    description: "downloadVideo attempts that resumed from an earlier attempt's checkpoint instead of starting over",
    labels: ['model'],
    recordedBy: 'downloadVideo',
  },
  activityFailures: {
    name: 'seedance_activity_failures_total',
    kind: 'counter',
    description:
      "Activity attempts that failed, by failure type (SeedanceServerError, SeedanceNetworkError, ...); a running task's benign poll retry is not counted",
    labels: ['failure_type'],
    recordedBy: 'an activity interceptor of the Seedance worker',
  },
} as const satisfies Record<string, SeriesSpec>;

export type SeriesName = keyof typeof SERIES;

/**
 * Bucket boundaries of the package's histograms, keyed by series name: pass them as the Runtime's
 * `telemetryOptions.metrics.prometheus.histogramBucketOverrides` (the SDK's default buckets are
 * for milliseconds; ours are seconds). `installWorkerRuntime` does.
 */
export function seedanceHistogramBuckets(): Record<string, number[]> {
  const buckets: Record<string, number[]> = {};
  for (const spec of Object.values(SERIES) as SeriesSpec[]) {
    if (spec.kind === 'histogram') buckets[spec.name] = [...spec.buckets];
  }
  return buckets;
}

type Instrument<K extends SeriesName> = (typeof SERIES)[K]['kind'] extends 'counter'
  ? MetricCounter
  : (typeof SERIES)[K]['kind'] extends 'histogram'
    ? MetricHistogram
    : MetricGauge;

/** The instrument of series `key` on `meter` (an activity's, the workflow's or the Runtime's). */
export function instrument<K extends SeriesName>(meter: MetricMeter, key: K): Instrument<K> {
  const spec: SeriesSpec = SERIES[key];
  switch (spec.kind) {
    case 'counter':
      return meter.createCounter(spec.name, '', spec.description) as Instrument<K>;
    case 'histogram':
      return meter.createHistogram(spec.name, 'float', spec.unit, spec.description) as Instrument<K>;
    case 'gauge':
      return meter.createGauge(spec.name, 'int', '', spec.description) as Instrument<K>;
  }
}
