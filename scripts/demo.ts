/**
 * `npm run demo`: the whole thing on embedded defaults. A local Temporal dev server with its Web UI
 * (state kept in .demo/temporal.db), the Seedance simulator, a worker, and one
 * `generateSeedanceVideo` run with its progress, ending with the MP4's path, sha256 and the Web UI
 * link of the run. Ctrl-C stops everything cleanly.
 *
 * `SEEDANCE_API_KEY=... npm run demo -- --real` does the same against the real Seedance API.
 * `npm run demo -- --s3` stores the video in a local S3 server (SeaweedFS, started for the demo,
 * its data gone when the demo stops) instead of `./videos`, and prints the object's metadata.
 * `npm run demo -- --provider modelark` runs against the simulator's BytePlus ModelArk mode, with
 * callbacks: the simulator calls back a receiver in the demo, which wakes the workflow (the
 * callback's arrival is printed). `SEEDANCE_API_KEY=... npm run demo -- --provider modelark --real`
 * uses the real ModelArk API (`SEEDANCE_BASE_URL` for Volcengine); callbacks then need a public
 * `SEEDANCE_CALLBACK_URL` that reaches `SEEDANCE_CALLBACK_LISTEN`, otherwise it polls.
 */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSeedanceWorker } from '../src/create-worker';
import { createProvider } from '../src/seedance/create-provider';
import type { VideoTaskProvider } from '../src/seedance/provider';
import { deriveCallbackSecret } from '../src/callbacks/callback-url';
import { startCallbackReceiver } from '../src/callbacks/receiver';
import { createTemporalSignaler } from '../src/callbacks/signaler';
import { createSimulator, type AnySimulator } from '../src/simulator';
import { startDevServer, type DevServer } from '../src/testing/dev-server';
import { startS3Server, type S3Server } from '../src/testing/s3-server';
import type { SeedanceVideoResult, SeedanceVideoStatus } from '../src/contract/types';

const ROOT = path.resolve(__dirname, '..');
const TASK_QUEUE = 'seedance-video';
const real = process.argv.includes('--real');
const s3 = process.argv.includes('--s3');
const providerName = optionValue('--provider') ?? 'reseller';
if (providerName !== 'reseller' && providerName !== 'modelark') {
  console.error('--provider must be reseller or modelark');
  process.exit(2);
}
const modelArk = providerName === 'modelark';
const S3_BUCKET = 'seedance-demo';
const prompt =
  process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--provider') ??
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

  let sim: AnySimulator | undefined;
  const apiKey = real ? process.env.SEEDANCE_API_KEY! : 'demo-sim-key';
  if (!real) {
    // Its tasks persist beside the dev server's state: a demo stopped halfway resumes its run
    // (queued in Temporal) on the next `npm run demo`, with the same task on the simulator's side.
    const common = {
      apiKey,
      profile: process.env.SIMULATOR_PROFILE === 'realtime' ? ('realtime' as const) : ('fast' as const),
    };
    sim = modelArk
      ? await createSimulator({ ...common, provider: 'modelark', stateFile: path.join(ROOT, '.demo', 'modelark.json') })
      : await createSimulator({ ...common, stateFile: path.join(ROOT, '.demo', 'simulator.json') });
    cleanups.unshift(() => sim!.close());
    // A file host of modest speed, so the download's progress shows.
    sim.inject({ target: 'video', kind: 'throttle', bytesPerSecond: 48_000, persistent: true });
    step(`Seedance simulator (${providerName}) at ${sim.provider === 'modelark' ? sim.baseUrl : sim.url}`);
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
  const callback = modelArk ? await startDemoCallbackReceiver(nativeConnection, apiKey) : undefined;
  const output = s3Server
    ? `s3://${S3_BUCKET}/videos/`
    : path.resolve(process.env.SEEDANCE_OUTPUT ?? path.join(ROOT, 'videos'));
  const worker = await createSeedanceWorker({
    connection: nativeConnection,
    taskQueue: TASK_QUEUE,
    provider: demoProvider(apiKey, sim, callback),
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
    args: [
      {
        request: modelArk
          ? {
              model: 'seedance-1-5-pro-251215',
              resolution: '480p',
              content: [{ type: 'text', text: prompt }],
              duration: 5,
            }
          : { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: prompt }], duration: 5 },
      },
    ],
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
  if (result.usage) console.log(`  tokens   ${result.usage.completionTokens}`);
  console.log(`  Web UI   ${runLink}`);
  console.log('');

  if (process.stdout.isTTY && !process.env.CI) {
    step(`the Web UI${s3Server ? ' and the S3 server stay' : ' stays'} up until you press Ctrl-C`);
    await new Promise<never>(() => undefined); // the SIGINT handler below stops everything
  }
}

/** The provider the demo's worker calls: the simulator in the chosen mode, or the real API with `--real`. */
function demoProvider(
  apiKey: string,
  sim: AnySimulator | undefined,
  callback: { url: string; secret: string } | undefined,
): VideoTaskProvider {
  const baseUrl = sim ? (sim.provider === 'modelark' ? sim.baseUrl : sim.url) : process.env.SEEDANCE_BASE_URL;
  return createProvider({
    provider: modelArk ? 'modelark' : 'reseller',
    apiKey,
    ...(baseUrl ? { baseUrl } : {}),
    callback,
  });
}

/**
 * ModelArk's callbacks come to a receiver in the demo process: on loopback for the simulator; for
 * the real API only where `SEEDANCE_CALLBACK_URL` (public) and `SEEDANCE_CALLBACK_LISTEN` are set.
 */
async function startDemoCallbackReceiver(
  connection: NativeConnection,
  apiKey: string,
): Promise<{ url: string; secret: string } | undefined> {
  const publicUrl = real ? process.env.SEEDANCE_CALLBACK_URL : undefined;
  const listen = real ? process.env.SEEDANCE_CALLBACK_LISTEN : '127.0.0.1:0';
  if (real && (!publicUrl || !listen)) {
    step('no callbacks (set SEEDANCE_CALLBACK_URL and SEEDANCE_CALLBACK_LISTEN for them): polling only');
    return undefined;
  }
  const at = listen!.lastIndexOf(':');
  const secret = process.env.SEEDANCE_CALLBACK_SECRET ?? deriveCallbackSecret(apiKey);
  const signaler = createTemporalSignaler({ connection, namespace: 'default' });
  const receiver = await startCallbackReceiver({
    host: listen!.slice(0, at),
    port: Number(listen!.slice(at + 1)),
    secret,
    signaler,
    logger: {
      debug() {},
      info(message, meta) {
        const m = (meta ?? {}) as { taskId?: string; status?: string; workflowId?: string };
        step(`callback arrived: task ${m.taskId} is ${m.status}; ${message} (${m.workflowId})`);
      },
      warn(message) {
        step(`callback receiver: ${message}`);
      },
    },
  });
  cleanups.unshift(() => receiver.close().then(() => signaler.drain()));
  step(`callback receiver at ${receiver.url}`);
  return { url: publicUrl ?? receiver.url, secret };
}

function optionValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
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
