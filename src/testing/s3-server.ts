/**
 * A real S3 endpoint for tests: SeaweedFS (`weed server -s3`) on 127.0.0.1 only, with static
 * credentials so the AWS SDK signs its requests as against AWS. Each server keeps its data, logs
 * and sockets in its own temp dir, removed by `stop()`.
 *
 * ```ts
 * const s3 = await startS3Server();
 * await s3.createBucket('videos');
 * const client = new S3Client(s3.clientConfig()); // or: Object.assign(process.env, s3.env)
 * await s3.stop();
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { findSeaweed } from './binaries';
import { freePort } from './ports';

export interface S3ServerOptions {
  /** The `weed` binary (default: `findSeaweed()`, which installs it on first use). */
  weedPath?: string;
  /** How long to wait for the S3 API to answer (default 60 s). */
  startTimeoutMs?: number;
}

export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** SeaweedFS's own log (stdout and stderr), kept until `stop()`. */
  readonly logFile: string;
  /** The standard AWS variables (plus `SEEDANCE_S3_FORCE_PATH_STYLE`) that point a worker here. */
  readonly env: Readonly<Record<string, string>>;
  /** A config for `new S3Client(...)`: endpoint, region, credentials, path-style. */
  clientConfig(): S3ClientConfig;
  createBucket(name: string): Promise<void>;
  /** Kills SeaweedFS and removes its temp dir. */
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const PORT_NAMES = ['master', 'volume', 'filer', 's3'] as const;

export async function startS3Server(opts: S3ServerOptions = {}): Promise<S3Server> {
  const weedPath = opts.weedPath ?? (await findSeaweed());
  if (!weedPath)
    throw new Error('SeaweedFS not found and could not be installed; set SEAWEEDFS_PATH or run `npm run tools`');
  // Two tries: a port picked free can be taken by someone else before weed binds it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(weedPath, opts.startTimeoutMs ?? 60_000);
    } catch (err) {
      if (attempt >= 2) throw err;
    }
  }
}

async function launch(weedPath: string, startTimeoutMs: number): Promise<S3Server> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-s3-'));
  const dataDir = path.join(dir, 'data');
  const tmpDir = path.join(dir, 'tmp');
  await fs.mkdir(dataDir);
  await fs.mkdir(tmpDir);
  const accessKeyId = `SEEDANCETEST${randomBytes(4).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const identities = {
    identities: [
      {
        name: 'seedance-test',
        credentials: [{ accessKey: accessKeyId, secretKey: secretAccessKey }],
        actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'],
      },
    ],
  };
  const configFile = path.join(dir, 's3.json');
  await fs.writeFile(configFile, JSON.stringify(identities));

  const ports: number[] = [];
  for (let i = 0; i < PORT_NAMES.length * 2; i++) ports.push(await freePort(ports));
  const args = [
    'server',
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    `-dir=${dataDir}`,
    ...PORT_NAMES.flatMap((name, i) => [`-${name}.port=${ports[2 * i]}`, `-${name}.port.grpc=${ports[2 * i + 1]}`]),
    '-s3',
    `-s3.config=${configFile}`,
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
    `-filer.localSocket=${path.join(dir, 'filer.sock')}`,
    `-s3.localSocket=${path.join(dir, 's3.sock')}`,
    '-master.telemetry=false',
    '-master.volumeSizeLimitMB=64',
    '-volume.max=64',
    '-volume.preStopSeconds=0',
  ];
  const endpoint = `http://127.0.0.1:${ports[PORT_NAMES.indexOf('s3') * 2]}`;
  const masterUrl = `http://127.0.0.1:${ports[PORT_NAMES.indexOf('master') * 2]}`;
  const logFile = path.join(dir, 'weed.log');
  const log = await fs.open(logFile, 'a');
  let child: ChildProcess;
  try {
    // TMPDIR: weed puts its gRPC unix sockets and glog files there; HOME and cwd: no stray filer.toml.
    child = spawn(weedPath, args, {
      cwd: dir,
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: { ...process.env, TMPDIR: tmpDir, HOME: dir },
    });
  } finally {
    await log.close();
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => signalGroup(child.pid, 'SIGKILL');
  process.on('exit', killOnExit);

  const clientConfig = (): S3ClientConfig => ({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
  });
  const admin = new S3Client({ ...clientConfig(), maxAttempts: 1 });
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      // Throwaway data: no need for a graceful shutdown.
      signalGroup(child.pid, 'SIGKILL');
      await exited;
      process.off('exit', killOnExit);
      admin.destroy();
      await fs.rm(dir, { recursive: true, force: true });
    })());

  try {
    await waitUntilReady(admin, masterUrl, child, startTimeoutMs);
  } catch (err) {
    const tail = (await fs.readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-20).join('\n');
    await stop();
    throw new Error(`${(err as Error).message}\n${weedPath} ${args.join(' ')}\n${tail}`);
  }

  return {
    endpoint,
    region: REGION,
    accessKeyId,
    secretAccessKey,
    logFile,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      SEEDANCE_S3_FORCE_PATH_STYLE: 'true',
    },
    clientConfig,
    async createBucket(name) {
      await admin.send(new CreateBucketCommand({ Bucket: name }));
    },
    stop,
  };
}

/**
 * Ready when a signed ListBuckets succeeds and the volume server has joined the master. Before it
 * joins, the S3 gateway accepts writes but stalls them for seconds until it can place the data.
 */
async function waitUntilReady(
  admin: S3Client,
  masterUrl: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`SeaweedFS exited early (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    try {
      await admin.send(new ListBucketsCommand({}));
      if (await hasVolumeServer(masterUrl)) return;
      lastError = new Error('no volume server has joined the master yet');
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`SeaweedFS S3 API not ready after ${timeoutMs} ms: ${String(lastError)}`);
}

async function hasVolumeServer(masterUrl: string): Promise<boolean> {
  const response = await fetch(`${masterUrl}/dir/status`, { signal: AbortSignal.timeout(2_000) });
  const status = (await response.json()) as { Topology?: { DataCenters?: { Racks?: { DataNodes?: unknown[] }[] }[] } };
  const dataNodes = (status.Topology?.DataCenters ?? []).flatMap((dc) =>
    (dc.Racks ?? []).flatMap((rack) => rack.DataNodes ?? []),
  );
  return dataNodes.length > 0;
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
