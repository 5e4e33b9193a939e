/**
 * `npm run demo`: the whole thing on embedded defaults. A local Temporal dev server with its Web UI
 * (state kept in .demo/temporal.db), the Seedance simulator, a worker, and one
 * `generateSeedanceVideo` run with its progress, ending with the MP4's path, sha256 and the Web UI
 * link of the run. Ctrl-C stops everything cleanly.
 *
 * `SEEDANCE_API_KEY=... npm run demo -- --real` does the same against the real Seedance API.
 * `npm run demo -- --s3` stores the video in a local S3 server (SeaweedFS, started for the demo,
 * its data gone when the demo stops) instead of `./videos`, and prints the object's metadata.
 */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSeedanceWorker } from '../src/create-worker';
import { DEFAULT_BASE_URL } from '../src/seedance/client';
import { createSimulator, type Simulator } from '../src/simulator';
import { startDevServer, type DevServer } from '../src/testing/dev-server';
import { startS3Server, type S3Server } from '../src/testing/s3-server';
import type { SeedanceVideoResult, SeedanceVideoStatus } from '../src/contract/types';

const ROOT = path.resolve(__dirname, '..');
const TASK_QUEUE = 'seedance-video';
const real = process.argv.includes('--real');
const s3 = process.argv.includes('--s3');
const S3_BUCKET = 'seedance-demo';
const prompt =
  process.argv.slice(2).find((a) => !a.startsWith('--')) ??
  'A red fox trots through fresh snow at dawn, breath steaming, camera tracking alongside';

const cleanups: Array<() => Promise<unknown>> = [];
let stopping = false;

async function main(): Promise<void> {
  // The demo prints its own progress; the worker's retries and failures show in the Web UI.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  if (real && !process.env.SEEDANCE_API_KEY) throw new Error('--real needs SEEDANCE_API_KEY in the environment');

  step('starting a Temporal dev server (state in .demo/temporal.db)');
  const server: DevServer = await startDevServer({
    dbFile: path.join(ROOT, '.demo', 'temporal.db'),
    port: (await isFree(7233)) ? 7233 : undefined,
    uiPort: (await isFree(8233)) ? 8233 : undefined,
  });
  cleanups.unshift(() => server.stop());
  step(`Temporal at ${server.address}, Web UI at ${server.uiUrl}`);

  let sim: Simulator | undefined;
  const apiKey = real ? process.env.SEEDANCE_API_KEY! : 'demo-sim-key';
  if (!real) {
    // Its tasks persist beside the dev server's state: a demo stopped halfway resumes its run
    // (queued in Temporal) on the next `npm run demo`, with the same task on the simulator's side.
    sim = await createSimulator({
      apiKey,
      profile: process.env.SIMULATOR_PROFILE === 'realtime' ? 'realtime' : 'fast',
      stateFile: path.join(ROOT, '.demo', 'simulator.json'),
    });
    cleanups.unshift(() => sim!.close());
    // A file host of modest speed, so the download's progress shows.
    sim.inject({ target: 'video', kind: 'throttle', bytesPerSecond: 48_000, persistent: true });
    step(`Seedance simulator at ${sim.url}`);
  }

  let s3Server: S3Server | undefined;
  if (s3) {
    step('starting a local S3 server (SeaweedFS)');
    s3Server = await startS3Server();
    cleanups.unshift(() => s3Server!.stop());
    await s3Server.createBucket(S3_BUCKET);
    // The worker reads the AWS SDK's standard variables, as it would in production.
    Object.assign(process.env, s3Server.env);
    step(`S3 at ${s3Server.endpoint}, bucket "${S3_BUCKET}"`);
  }

  const nativeConnection = await NativeConnection.connect({ address: server.address });
  cleanups.unshift(() => nativeConnection.close());
  const output = s3Server
    ? `s3://${S3_BUCKET}/videos/`
    : path.resolve(process.env.SEEDANCE_OUTPUT ?? path.join(ROOT, 'videos'));
  const worker = await createSeedanceWorker({
    connection: nativeConnection,
    taskQueue: TASK_QUEUE,
    seedance: { apiKey, baseUrl: real ? (process.env.SEEDANCE_BASE_URL ?? DEFAULT_BASE_URL) : sim!.url },
    output,
    download: { allowPrivateUrls: !real, progressIntervalMs: 500 },
    shutdownGraceTimeMs: 5_000,
  });
  const running = worker.run();
  cleanups.unshift(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  });
  step(`worker on task queue "${TASK_QUEUE}", videos go to ${output}`);

  const connection = await Connection.connect({ address: server.address });
  cleanups.unshift(() => connection.close());
  const client = new Client({ connection });
  const workflowId = `seedance-demo-${Date.now()}`;
  const handle = await client.workflow.start('generateSeedanceVideo', {
    taskQueue: TASK_QUEUE,
    workflowId,
    args: [{ request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: prompt }], duration: 5 } }],
  });
  const runLink = `${server.uiUrl}/namespaces/default/workflows/${workflowId}/${handle.firstExecutionRunId}/history`;
  step(`started generateSeedanceVideo ${workflowId}`);
  step(`watch it live: ${runLink}`);

  const result = await followProgress(handle.result() as Promise<SeedanceVideoResult>, () =>
    handle.query<SeedanceVideoStatus>('status'),
  );
  console.log('');
  console.log(
    `  video    ${result.video.uri.startsWith('file:') ? fileURLToPath(result.video.uri) : result.video.uri}`,
  );
  if (s3Server) console.log(`  metadata ${await objectMetadata(s3Server, result.video.uri)}`);
  console.log(`  bytes    ${result.video.bytes}`);
  console.log(`  sha256   ${result.video.sha256}`);
  console.log(
    `  task     ${result.taskId} (${result.model}, ${result.actualDuration ?? '?'} s, ${result.checks} status checks)`,
  );
  console.log(`  Web UI   ${runLink}`);
  console.log('');

  if (process.stdout.isTTY && !process.env.CI) {
    step(`the Web UI${s3Server ? ' and the S3 server stay' : ' stays'} up until you press Ctrl-C`);
    await new Promise<never>(() => undefined); // the SIGINT handler below stops everything
  }
}

/** The stored object's user metadata (sha256, task id, model), read back with HeadObject. */
async function objectMetadata(server: S3Server, uri: string): Promise<string> {
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri)!;
  const client = new S3Client(server.clientConfig());
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.stringify(head.Metadata ?? {});
  } finally {
    client.destroy();
  }
}

/** Prints every change of phase, remote status and download progress until the result arrives. */
async function followProgress<T>(result: Promise<T>, query: () => Promise<SeedanceVideoStatus>): Promise<T> {
  let done = false;
  const settled = result.finally(() => (done = true));
  let last = '';
  while (!done) {
    const status = await query().catch(() => undefined);
    if (status) {
      const line = describe(status);
      if (line !== last) step(line);
      last = line;
    }
    await Promise.race([settled.catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
  }
  return settled;
}

function describe(s: SeedanceVideoStatus): string {
  const task = s.taskId ?? '(creating)';
  switch (s.phase) {
    case 'checking':
      if (s.taskId === null) return 'creating the Seedance task';
      return `task ${task}: checking status (check ${s.checks + 1})`;
    case 'waiting':
      return `task ${task}: ${s.remoteStatus}; next check at ${s.nextCheckAt?.slice(11, 19)} UTC (${s.checks} checks so far)`;
    case 'downloading': {
      const d = s.download;
      const pct = d?.totalBytes ? ` ${Math.floor((100 * d.bytes) / d.totalBytes)}%` : '';
      return `task ${task}: downloading${pct} (${d?.bytes ?? 0}${d?.totalBytes ? ` of ${d.totalBytes}` : ''} bytes)`;
    }
    default:
      return `task ${task}: ${s.phase}`;
  }
}

function step(message: string): void {
  console.log(`[demo] ${message}`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(false))
      .once('listening', () => probe.close(() => resolve(true)))
      .listen(port, '127.0.0.1');
  });
}

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
  process.exit(code);
}

process.once('SIGINT', () => {
  if (!stopping) console.log('\n[demo] stopping...');
  void shutdown(130);
});
process.once('SIGTERM', () => void shutdown(143));

main().then(
  () => shutdown(0),
  (error: unknown) => {
    console.error(`[demo] failed: ${error instanceof Error ? error.message : String(error)}`);
    return shutdown(1);
  },
);
