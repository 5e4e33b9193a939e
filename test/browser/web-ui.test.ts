/**
 * The Web UI says what a video waits for, checked where an operator reads it: the dev server's Web
 * UI in headless Chromium (Debian's `chromium`, driven by `playwright-core`). A worker and the
 * simulator run a generation whose task renders for half an hour (the run waits on its timer) and
 * a video whose download trickles (the run downloads); the test opens their pages and the workflow
 * list, finds the texts the runs set, and saves screenshots in `.screenshots/` (git-ignored).
 *
 * `npm run test:browser` (vitest.browser.config.ts). Skipped, saying why, only where no browser can
 * be had (no /usr/bin/chromium, and no apt-get or not root to install it: `npm run browser`).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, findChromium, type BrowserLookup } from '../../scripts/browser';
import { startGenerateSeedanceVideo, startGenerateSeedanceVideos, startSeedanceVideo } from '../../src/client';
import { batchStatusQuery, cancelSignal, statusQuery, type SeedanceVideoStatus } from '../../src/contract';
import { startHarness, type Harness } from '../helpers/harness';
import { createDevServerForTest, type TestDevServer } from '../helpers/temporal';
import { until } from '../helpers/wait';

const SCREENSHOTS = path.resolve(__dirname, '../../.screenshots');
const FOX = 'a red fox running through snow at dawn, cinematic slow motion, golden light';
const MINUTE = 60_000;
/** The UI polls the server; what a run just set can take a few seconds to appear. */
const UI_TIMEOUT_MS = 30_000;

let lookup: BrowserLookup;
let server: TestDevServer | undefined;
let nativeConnection: NativeConnection | undefined;
let connection: Connection | undefined;
let stack: Harness | undefined;
let browser: Browser | undefined;
let page: Page;
const started: WorkflowHandle[] = [];
/** A 480p task rendering for half an hour, created a minute ago: after one timer its run waits inside `pollStatus`. */
let polled: { handle: WorkflowHandle; taskId: string } | undefined;

beforeAll(async () => {
  lookup = await findChromium({ install: true });
  if (lookup.path === null) {
    console.warn(`Web UI test skipped: no headless browser here (${lookup.why})`);
    return;
  }
  server = await createDevServerForTest({ headless: false });
  nativeConnection = await NativeConnection.connect({ address: server.address });
  connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  stack = await startHarness({
    connection: nativeConnection,
    client,
    namespace: server.namespace,
    // The fox renders for half an hour: its run waits on a timer while the test looks.
    simulator: {
      timingFor: ({ prompt }) => (prompt.includes('fox') ? { queuedMs: 0, renderMs: 30 * MINUTE } : undefined),
    },
  });
  browser = await chromium.launch({ executablePath: lookup.path, args: chromiumArgs(), headless: true });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await fs.mkdir(SCREENSHOTS, { recursive: true });
  // Started first: its timer (10-20 s) runs out while the other scenarios look.
  const task = await stack.sim.addTask({
    model: 'seedance_1_5_pro_480p',
    createdMs: Date.now() - MINUTE,
    timing: { queuedMs: 0, renderMs: 30 * MINUTE },
  });
  const handle = await startSeedanceVideo(
    client,
    { taskId: task.id, model: 'seedance_1_5_pro_480p' },
    { taskQueue: stack.taskQueue },
  );
  started.push(handle);
  polled = { handle, taskId: task.id };
  const uiUrl = server.uiUrl;
  await until(
    () =>
      fetch(uiUrl).then(
        (r) => r.ok,
        () => false,
      ),
    60_000,
    'the Web UI',
    250,
  );
});

afterAll(async () => {
  for (const handle of started)
    await handle.signal(cancelSignal, { reason: 'the Web UI test is over' }).catch(() => {});
  await browser?.close();
  await stack?.close();
  await connection?.close();
  await nativeConnection?.close();
  await server?.dispose();
});

/** The run's page on one of its tabs (`user-metadata`, `history`, `search-attributes`, `pending-activities`). */
async function openRunTab(handle: WorkflowHandle, runId: string, tab: string): Promise<void> {
  const workflowId = encodeURIComponent(handle.workflowId); // a batch item's id has a `/`
  await page.goto(`${server!.uiUrl}/namespaces/${server!.namespace}/workflows/${workflowId}/${runId}/${tab}`);
}

/**
 * Waits until the page shows `text` (a string or a pattern), and returns the matching text. The UI
 * renders the summary and details (markdown) in sandboxed iframes, so every frame is read.
 */
async function findOnPage(text: string | RegExp, what: string): Promise<string> {
  const found = until(
    async () => {
      for (const frame of page.frames()) {
        const shown = await frame
          .locator('body')
          .innerText({ timeout: 1_000 })
          .catch(() => '');
        const match = typeof text === 'string' ? (shown.includes(text) ? text : undefined) : text.exec(shown)?.[0];
        if (match) return match;
      }
      return undefined;
    },
    UI_TIMEOUT_MS,
    `the Web UI to show ${what}`,
    500,
  );
  return found.catch(async (error: unknown) => {
    const shown = await Promise.all(
      page.frames().map((f) =>
        f
          .locator('body')
          .innerText({ timeout: 1_000 })
          .catch(() => ''),
      ),
    );
    await screenshot(`failed-${what.replace(/\W+/g, '-')}`);
    throw new Error(
      `${(error as Error).message}; the page (${page.url()}) shows:\n${shown.join('\n---\n').slice(0, 5_000)}`,
    );
  });
}

async function screenshot(name: string): Promise<void> {
  // Not 'networkidle': the UI refreshes a running workflow's page every few seconds.
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

async function statusOnce(handle: WorkflowHandle, ready: (s: SeedanceVideoStatus) => boolean, what: string) {
  return until(
    async () => {
      const status = await handle.query(statusQuery);
      return ready(status) ? status : undefined;
    },
    30_000,
    what,
    200,
  );
}

const texts: Record<string, string> = {};

describe('the Web UI (headless Chromium)', () => {
  it('shows what a waiting video waits for: summary, details, current details, timer, search attributes', async (ctx) => {
    if (lookup.path === null) return ctx.skip(`no headless browser here: ${lookup.why}`);
    const handle = await startGenerateSeedanceVideo(
      stack!.client,
      { request: { model: 'seedance_1_5_pro_720p', content: [{ type: 'text', text: FOX }] }, fileName: 'fox.mp4' },
      { taskQueue: stack!.taskQueue },
    );
    started.push(handle);
    const runId = handle.firstExecutionRunId;
    const { taskId } = await statusOnce(handle, (s) => s.phase === 'waiting' && s.taskId !== null, 'the fox to wait');

    await openRunTab(handle, runId, 'user-metadata');
    texts.summary = await findOnPage('Seedance 720p: a red fox running through snow at dawn…', 'the static summary');
    texts.details = await findOnPage(`Prompt: ${FOX}`, 'the static details');
    await findOnPage('File: fox.mp4', 'the file name in the details');
    texts.waiting = await findOnPage(
      new RegExp(
        `Seedance task ${taskId} \\(seedance_1_5_pro_720p\\) is queued; next status check at \\d\\d:\\d\\d:\\d\\d UTC \\(check 1\\)`,
      ),
      'the current details of the wait',
    );
    await screenshot('waiting-user-metadata');

    await openRunTab(handle, runId, 'history');
    texts.timer = await findOnPage(
      new RegExp(`Wait \\d+ s before checking ${taskId} \\(queued\\)`),
      'the timer summary',
    );
    texts.create = await findOnPage('Create a seedance_1_5_pro_720p task', 'the create activity summary');
    await screenshot('waiting-history');

    await openRunTab(handle, runId, 'search-attributes');
    texts.searchAttributes = await findOnPage(
      new RegExp(`"SeedanceStatus": "queued",\\s*"SeedanceTaskId": "${taskId}"`),
      'the search attributes',
    );
    await findOnPage('"SeedanceModel": "seedance_1_5_pro_720p"', 'the model search attribute');
    await screenshot('waiting-search-attributes');
  });

  it('shows a download in progress: current details, its heartbeat and activity summary', async (ctx) => {
    if (lookup.path === null) return ctx.skip(`no headless browser here: ${lookup.why}`);
    const sim = stack!.sim;
    const task = await sim.addTask({ model: 'seedance_1_5_pro_1080p', timing: { queuedMs: 0, renderMs: 0 } });
    // ~177 KB at 2 KB/s: 90 s of downloading, above the worker's 1 KB/s low-speed limit.
    sim.inject({ kind: 'throttle', bytesPerSecond: 2_000 });
    const handle = await startSeedanceVideo(
      stack!.client,
      { taskId: task.id, fileName: 'trickle.mp4' },
      { taskQueue: stack!.taskQueue },
    );
    started.push(handle);
    const runId = handle.firstExecutionRunId;
    await statusOnce(handle, (s) => s.phase === 'downloading', 'the download to start');

    await openRunTab(handle, runId, 'user-metadata');
    texts.downloadSummary = await findOnPage(`Seedance task ${task.id}`, 'the static summary of a followed task');
    texts.downloading = await findOnPage(
      `Downloading the video of Seedance task ${task.id} to trickle.mp4`,
      'the current details of the download',
    );
    await screenshot('downloading-user-metadata');

    await openRunTab(handle, runId, 'pending-activities');
    await findOnPage('downloadVideo', 'the pending download');
    texts.heartbeat = await findOnPage(
      /"offset": \d+,\s*"etag": "[^\n]+",\s*"totalBytes": \d+/,
      'the download heartbeat',
    );
    await screenshot('downloading-pending-activities');

    await openRunTab(handle, runId, 'history');
    texts.downloadActivity = await findOnPage(
      `Download the video of ${task.id} to trickle.mp4`,
      'the download activity summary',
    );

    await openRunTab(handle, runId, 'search-attributes');
    texts.downloadSearchAttributes = await findOnPage('"SeedanceStatus": "downloading"', 'the downloading status');
  });

  it('shows a wait inside pollStatus: current details and the activity summary', async (ctx) => {
    if (lookup.path === null) return ctx.skip(`no headless browser here: ${lookup.why}`);
    const { handle, taskId } = polled!;
    const runId = (await handle.describe()).runId;
    await statusOnce(handle, (s) => s.phase === 'waiting' && s.nextCheckAt === null, 'the wait inside pollStatus');

    await openRunTab(handle, runId, 'user-metadata');
    texts.pollSummary = await findOnPage(`Seedance task ${taskId} (480p)`, 'the static summary of a followed task');
    texts.polling = await findOnPage(
      new RegExp(
        `Seedance task ${taskId} \\(seedance_1_5_pro_480p\\) is processing; the pollStatus activity checks it on the schedule \\(1 check so far;[^)]*\\)`,
      ),
      'the current details of a wait inside pollStatus',
    );
    await screenshot('polling-user-metadata');

    await openRunTab(handle, runId, 'history');
    texts.pollActivity = await findOnPage(
      `Check ${taskId} until it ends, on the schedule (processing)`,
      'the pollStatus activity summary',
    );
  });

  it('shows a batch: its summary, counts and first prompts, and each item naming its batch', async (ctx) => {
    if (lookup.path === null) return ctx.skip(`no headless browser here: ${lookup.why}`);
    const foxes = [`${FOX}, seen from the left`, `${FOX}, seen from the right`];
    const handle = await startGenerateSeedanceVideos(
      stack!.client,
      {
        items: foxes.map((text) => ({
          request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text }] },
        })),
        maxConcurrent: 2,
      },
      { taskQueue: stack!.taskQueue, workflowId: `web-ui-batch-${Date.now()}` },
    );
    started.push(handle);
    await until(
      async () => (await handle.query(batchStatusQuery)).counts.running === 2,
      30_000,
      'both items running',
      200,
    );

    await openRunTab(handle, handle.firstExecutionRunId, 'user-metadata');
    texts.batchSummary = await findOnPage('Seedance batch: 2 videos, at most 2 at once', 'the batch summary');
    await findOnPage('First prompts:', "the batch's details");
    // A markdown list: the page's text has its items, not their numbers.
    await findOnPage('a red fox running through snow at dawn…', "the batch's first prompt");
    texts.batchProgress = await findOnPage(
      'Seedance batch: 0/2 completed, 2 running, 0 pending (at most 2 at once, run 1)',
      "the batch's current details",
    );
    await screenshot('batch-user-metadata');

    const child = stack!.client.workflow.getHandle(`${handle.workflowId}/item-1`);
    await openRunTab(child, (await child.describe()).runId, 'user-metadata');
    texts.batchItem = await findOnPage(`Batch: ${handle.workflowId}, item 1 (2 of 2)`, "an item's batch line");
    await findOnPage('Seedance 480p: a red fox running through snow at dawn…', "an item's summary");
    await screenshot('batch-item-user-metadata');
  });

  it('lists the runs with their Seedance search attributes as columns', async (ctx) => {
    if (lookup.path === null) return ctx.skip(`no headless browser here: ${lookup.why}`);
    // The list shows no static summary (Web UI 2.54: visibility carries none); an operator adds the
    // search attributes as columns ("Configure columns"), which the UI keeps in localStorage.
    const columns = ['Status', 'Workflow ID', 'SeedanceStatus', 'SeedanceModel', 'SeedanceTaskId', 'Start'];
    const stored = JSON.stringify({ [server!.namespace]: columns.map((label, i) => ({ label, pinned: i < 2 })) });
    await page.addInitScript(`localStorage.setItem('namespace-workflow-table-columns', ${JSON.stringify(stored)})`);
    await page.goto(`${server!.uiUrl}/namespaces/${server!.namespace}/workflows`);
    texts.listWaiting = await findOnPage(/queued\s+seedance_1_5_pro_720p\s+video_\w+/, 'the waiting fox in the list');
    texts.listDownloading = await findOnPage(
      /downloading\s+seedance_1_5_pro_1080p\s+video_\w+/,
      'the download in the list',
    );
    await screenshot('workflow-list');
    console.log(`Web UI texts found:\n${JSON.stringify(texts, null, 2)}`);
    expect(texts.listWaiting).toContain('queued');
  });
});
