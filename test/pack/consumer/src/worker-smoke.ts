/**
 * A user's project after `npm install seedance-temporal` (copied into a fresh project by
 * test/pack/pack-install.test.ts): it prebundles the installed package's workflows, runs a worker
 * from the installed package with that bundle on Temporal's time-skipping test server, generates
 * one video against the package's simulator and checks the stored file. Prints one JSON line and
 * exits non-zero on any failure.
 *
 * Environment: TEMPORAL_TEST_SERVER_PATH, the test server binary (`npm run tools` in the repo).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import {
  LocalDirectoryStorage,
  ResellerProvider,
  SeedanceClient,
  seedanceWorkerOptions,
  startGenerateSeedanceVideo,
} from 'seedance-temporal';
import { GENERATE_WORKFLOW_TYPE, type GenerateSeedanceVideoInput } from 'seedance-temporal/contract';
import { createSimulator } from 'seedance-temporal/simulator';
import type { generateSeedanceVideo } from 'seedance-temporal/workflows';

const API_KEY = 'sk-consumer-0123456789abcdef';
const TASK_QUEUE = 'consumer-videos';

async function main(): Promise<void> {
  const testServer = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (!testServer) throw new Error('set TEMPORAL_TEST_SERVER_PATH to the time-skipping test server binary');
  Runtime.install({ logger: new DefaultLogger('WARN') });

  const started = Date.now();
  // What a deploy does at build time: bundle the workflows once, ship the code, skip webpack at start.
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('seedance-temporal/workflows'),
    logger: new DefaultLogger('WARN'),
  });
  const bundledMs = Date.now() - started;

  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServer } },
  });
  const sim = await createSimulator({ apiKey: API_KEY, clock: () => env.currentTimeMs() });
  const outputDir = path.resolve('videos');
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      ...seedanceWorkerOptions({
        provider: new ResellerProvider(new SeedanceClient({ apiKey: API_KEY, baseUrl: sim.url, timeoutMs: 5_000 })),
        storage: await LocalDirectoryStorage.create(outputDir),
        download: { allowPrivateUrls: true }, // the simulator is on loopback
        workflowBundle: { code },
        clock: () => env.currentTimeMs(),
        shutdownGraceTimeMs: 2_000,
      }),
      taskQueue: TASK_QUEUE,
    });
    const input: GenerateSeedanceVideoInput = {
      request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: 'a red fox in fresh snow' }] },
      fileName: 'red-fox.mp4',
    };
    const result = await worker.runUntil(async () => {
      const handle = await startGenerateSeedanceVideo(env.client, input, { taskQueue: TASK_QUEUE });
      const typed: Awaited<ReturnType<typeof generateSeedanceVideo>> = await handle.result();
      return { ...typed, workflowType: (await handle.describe()).type };
    });

    const stored = await fs.readFile(fileURLToPath(result.video.uri));
    const sha256 = createHash('sha256').update(stored).digest('hex');
    if (result.workflowType !== GENERATE_WORKFLOW_TYPE) throw new Error(`ran ${result.workflowType}`);
    if (sha256 !== sim.videoSha256 || result.video.sha256 !== sha256 || stored.length !== result.video.bytes) {
      throw new Error(`stored file ${sha256} (${stored.length} B) is not the served ${sim.videoSha256}`);
    }
    const report = { ...result.video, path: fileURLToPath(result.video.uri), checks: result.checks, bundledMs };
    console.log(JSON.stringify(report));
  } finally {
    await sim.close();
    await env.teardown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
