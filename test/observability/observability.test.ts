/**
 * Metrics and traces as an operator meets them: the production worker (`src/worker.ts`) started
 * with `SEEDANCE_PROMETHEUS_ADDRESS` and the standard `OTEL_*` variables, a dev server, the
 * simulator with one failing status read and one broken download. After a stored video and a
 * failed task, `/metrics` is scraped over HTTP and the spans arrive at a local OTLP/HTTP collector.
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWAIT_WORKFLOW_TYPE, workflowIdForTask } from '../../src/contract/names';
import { WORKFLOWS_PATH } from '../../src/create-worker';
import { SERIES } from '../../src/observability/metrics';
import { seedanceTracingPlugin } from '../../src/observability/tracing-plugin';
import { quietBundlerLogger } from '../../src/testing/harness';
import { addTask } from '../helpers/provider';
import { labelsBySeries, queryNeeds, withGrafanaVariables } from '../helpers/promql';
import { CRASH_API_KEY, TASK_QUEUE, seedCompletedTask, startCrashStack, type CrashStack } from '../helpers/crash-stack';
import type { WorkerProcess } from '../helpers/worker-process';
import { until } from '../helpers/wait';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
}

/** A local OTLP/HTTP trace receiver: what the worker's exporter posts to `/v1/traces`. */
async function startCollector() {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') bodies.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    bodies,
    spans(): (OtlpSpan & { service: string })[] {
      return bodies.flatMap((body) =>
        (
          JSON.parse(body) as {
            resourceSpans: { resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
          }
        ).resourceSpans.flatMap((rs) => {
          const service = rs.resource.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          return rs.scopeSpans.flatMap((ss) => ss.spans.map((span) => ({ ...span, service })));
        }),
      );
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface GrafanaDashboard {
  panels: { title: string; targets?: { expr: string }[] }[];
  templating: { list: { name: string; query?: string | { query: string } }[] };
}

/** `label_values(series, label)` (a Grafana variable's query) as the PromQL it reads: `series{label=~".*"}`. */
function labelValuesAsSelector(query: string): string {
  const match = /^label_values\((\w+),\s*(\w+)\)$/.exec(query.trim());
  return match ? `${match[1]}{${match[2]}=~".*"}` : query;
}

function attr(span: OtlpSpan, key: string): string | number | undefined {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
}

/** `name{labels} value` lines of a Prometheus text page whose name is `name`. */
function samples(page: string, name: string): { labels: string; value: number }[] {
  const out: { labels: string; value: number }[] = [];
  for (const line of page.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match && match[1] === name) out.push({ labels: match[2] ?? '', value: Number(match[3]) });
  }
  return out;
}

function sum(page: string, name: string, labelPart = ''): number {
  return samples(page, name)
    .filter((s) => s.labels.includes(labelPart))
    .reduce((total, s) => total + s.value, 0);
}

describe('observability of the production worker', () => {
  let stack: CrashStack;
  let worker: WorkerProcess;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let page = '';
  let bundleDir: string;
  let storedTaskId: string;
  let failedTaskId: string;

  beforeAll(async () => {
    const started = Date.now();
    bundleDir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-traced-bundle-'));
    // A prebuilt bundle carries the workflow interceptors only when built with the tracing plugin,
    // as the README tells: the plugin needs no live exporter to bundle.
    const tracedBundle = bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: quietBundlerLogger,
      plugins: [
        seedanceTracingPlugin({
          spanProcessor: new SimpleSpanProcessor(new InMemorySpanExporter()),
          resource: new Resource({}),
        }),
      ],
    });
    [stack, collector] = await Promise.all([startCrashStack(), startCollector()]);
    const bundleFile = path.join(bundleDir, 'workflows.js');
    await fs.writeFile(bundleFile, (await tracedBundle).code);

    const stored = await seedCompletedTask(stack.sim);
    const failed = await addTask(stack.sim, {
      resolution: '480p',
      createdMs: Date.now() - 10 * 60_000,
      timing: { queuedMs: 0, renderMs: 60_000 },
      outcome: 'failed',
      error: 'the prompt could not be rendered',
    });
    storedTaskId = stored.id;
    failedTaskId = failed.id;
    stack.sim.inject({ target: 'status', kind: 'status', code: 500 }); // one failed status read
    stack.sim.inject({ kind: 'reset', afterBytes: 40_000 }); // the download resumes once

    // Started before the worker, so its first visibility count sees them running.
    const handles = await Promise.all(
      [storedTaskId, failedTaskId].map((taskId) =>
        stack.client.workflow.start(AWAIT_WORKFLOW_TYPE, {
          taskQueue: TASK_QUEUE,
          workflowId: workflowIdForTask(taskId),
          args: [{ taskId }],
        }),
      ),
    );
    const prometheus = `127.0.0.1:${await freePort()}`;
    worker = await stack.startWorker({
      SEEDANCE_PROMETHEUS_ADDRESS: prometheus,
      SEEDANCE_WORKFLOW_BUNDLE: bundleFile,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', // what this collector reads (the others: otlp-protocols.test.ts)
      OTEL_SERVICE_NAME: 'seedance-observability-test',
    });
    await handles[0]!.result();
    await expect(handles[1]!.result()).rejects.toBeInstanceOf(WorkflowFailedError);

    // Workflow metrics leave the sandbox after the activation: wait until the page has both ends.
    await until(
      async () => {
        page = await (await fetch(`http://${prometheus}/metrics`)).text();
        return sum(page, 'seedance_videos_finished_total') >= 2;
      },
      20_000,
      'both ends on /metrics',
    );
    // SIGTERM: the worker shuts down and flushes its spans to the collector before it exits.
    expect(await worker.kill('SIGTERM')).toBe(0);
    console.log(`observability run: ${Date.now() - started} ms`);
  });

  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await stack?.close();
    await collector?.close();
    if (bundleDir) await fs.rm(bundleDir, { recursive: true, force: true });
  });

  it("serves the SDK's temporal_ series and every seedance_ series on /metrics", () => {
    expect(page).toMatch(/^temporal_workflow_completed\{/m);
    expect(page).toMatch(/^temporal_activity_execution_latency/m);
    for (const spec of Object.values(SERIES)) expect(page, spec.name).toContain(`# TYPE ${spec.name} `);
  });

  it('answers every query of the Grafana dashboard in docs/: valid PromQL, its series and labels on the page', async () => {
    const dashboard = JSON.parse(
      await fs.readFile(path.join(__dirname, '../../docs/grafana-dashboard.json'), 'utf8'),
    ) as GrafanaDashboard;
    const queries = [
      ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((t) => ({ where: panel.title, expr: t.expr }))),
      ...dashboard.templating.list.flatMap((v) =>
        typeof v.query === 'object' ? [{ where: `$${v.name}`, expr: labelValuesAsSelector(v.query.query) }] : [],
      ),
    ];
    expect(queries.length).toBeGreaterThan(10);
    const onPage = labelsBySeries(page);
    const problems: string[] = [];
    for (const { where, expr } of queries) {
      const needs = queryNeeds(withGrafanaVariables(expr));
      for (const error of needs.syntaxErrors) problems.push(`${where}: not PromQL ${error}`);
      if (needs.series.length === 0) problems.push(`${where}: selects no series`);
      for (const series of needs.series) {
        const labels = onPage.get(series);
        if (!labels) problems.push(`${where}: ${series} is not on /metrics`);
        for (const label of needs.labels) {
          if (labels && !labels.has(label)) problems.push(`${where}: ${series} has no label ${label}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('counts status checks by result, failures by type and the ends of the videos', () => {
    expect(sum(page, 'seedance_status_checks_total', 'status="completed"')).toBeGreaterThanOrEqual(1);
    expect(sum(page, 'seedance_status_checks_total', 'status="failed"')).toBe(1);
    expect(sum(page, 'seedance_status_checks_total', 'status="error"')).toBe(1);
    expect(sum(page, 'seedance_activity_failures_total', 'failure_type="SeedanceServerError"')).toBe(1);
    expect(sum(page, 'seedance_activity_failures_total', 'failure_type="SeedanceNetworkError"')).toBe(1);
    expect(sum(page, 'seedance_videos_finished_total', 'outcome="completed"')).toBe(1);
    expect(sum(page, 'seedance_videos_finished_total', 'failure_type="SeedanceTaskFailed"')).toBe(1);
    // No task id in any label.
    expect(page).not.toContain(storedTaskId);
    expect(page).not.toContain(failedTaskId);
  });

  it('measures the download and the time from creation to the stored video', () => {
    const videoBytes = stack.sim.video.length;
    expect(sum(page, 'seedance_download_bytes_total')).toBeGreaterThanOrEqual(videoBytes);
    expect(sum(page, 'seedance_download_bytes_total')).toBeLessThan(videoBytes + 40_000 + 65_536);
    expect(sum(page, 'seedance_download_resumes_total')).toBe(1);
    expect(sum(page, 'seedance_download_seconds_count', 'result="failed"')).toBe(1);
    expect(sum(page, 'seedance_download_seconds_count', 'result="stored"')).toBe(1);
    // Created ten minutes before the test: between 10 and 11 minutes to the stored video.
    const completion = sum(page, 'seedance_video_completion_seconds_sum');
    expect(completion).toBeGreaterThanOrEqual(600);
    expect(completion).toBeLessThan(660);
    expect(sum(page, 'seedance_video_completion_seconds_bucket', 'le="900"')).toBe(1);
    expect(sum(page, 'seedance_video_completion_seconds_bucket', 'le="450"')).toBe(0);
  });

  it('reports the videos in flight from visibility (both, when the worker started)', () => {
    const gauge = samples(page, 'seedance_videos_in_flight');
    expect(gauge).toHaveLength(1);
    expect(gauge[0]!.labels).toContain(`taskQueue="${TASK_QUEUE}"`);
    expect(gauge[0]!.value).toBe(2);
  });

  it('sends one trace per video: the workflow, its activities and their HTTP calls', () => {
    const spans = collector.spans();
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['seedance-observability-test']));
    const download = spans.find(
      (s) =>
        s.name === 'RunActivity:downloadVideo' && attr(s, 'temporalWorkflowId') === workflowIdForTask(storedTaskId),
    );
    expect(download, spans.map((s) => s.name).join(', ')).toBeDefined();
    const trace = spans.filter((s) => s.traceId === download!.traceId);
    const names = new Set(trace.map((s) => s.name));
    for (const name of [
      'RunWorkflow:awaitSeedanceVideo',
      'StartActivity:checkStatus',
      'RunActivity:checkStatus',
      'StartActivity:downloadVideo',
      'RunActivity:downloadVideo',
      'GET',
    ]) {
      expect(names, name).toContain(name);
    }
    // The HTTP calls are children of the activity attempts that made them.
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const gets = trace.filter((s) => s.name === 'GET');
    for (const get of gets) expect(byId.get(get.parentSpanId ?? '')?.name).toMatch(/^RunActivity:/);
    const videoGets = gets.filter((s) => String(attr(s, 'url.full')).includes('/files/'));
    expect(videoGets.length, JSON.stringify(gets.map((g) => attr(g, 'url.full')))).toBeGreaterThanOrEqual(2);
    // The other video's workflow is a trace of its own.
    const failedRun = spans.find(
      (s) => s.name === 'RunActivity:checkStatus' && attr(s, 'temporalWorkflowId') === workflowIdForTask(failedTaskId),
    );
    expect(failedRun?.traceId).toBeDefined();
    expect(failedRun?.traceId).not.toBe(download!.traceId);
  });

  it('puts neither the API key nor a signed URL query in any span', () => {
    const everything = collector.bodies.join('\n');
    expect(everything).not.toContain(CRASH_API_KEY);
    expect(everything).not.toMatch(/sig=|expires=/);
    expect(everything).toContain('/files/'); // the video's URL is there, its query replaced
    expect(everything).toContain('?REDACTED');
  });
});
