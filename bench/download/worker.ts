/**
 * One download in a process of its own, so that its resident memory is the download's alone: the
 * real `downloadVideo` activity (status read, stream, fsync'd checkpoints, length + sha256 + MP4
 * check, atomic rename into the local directory) in a MockActivityEnvironment, against the file
 * host of `server.ts`. Env: BENCH_API_URL, BENCH_TASK_ID, BENCH_OUTPUT_DIR, BENCH_FILE_NAME.
 * Prints one JSON line ({@link WorkerReport}) and exits.
 *
 * Idle is this process once everything is loaded and the activities are built, after a GC; then
 * `clear_refs` sets `VmHWM` back to the current RSS, so the `VmHWM` read after the download is the
 * exact peak of the download itself.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { readFile, writeFile } from 'node:fs/promises';
import { createActivities } from '../../src/activities';
import { SeedanceClient } from '../../src/seedance/client';
import { LocalDirectoryStorage, type StoredVideo } from '../../src/storage';

export interface WorkerReport {
  bytes: number;
  sha256: string;
  /** From the activity's start to its result (status read, stream, verify, commit). */
  seconds: number;
  heartbeats: number;
  /** CPU time of this process (all its threads) during the download. */
  cpuSeconds: number;
  idleRss: number;
  peakRss: number;
}

const API_KEY = 'bench-key';

async function main(): Promise<void> {
  const env = process.env;
  const storage = await LocalDirectoryStorage.create(required(env.BENCH_OUTPUT_DIR, 'BENCH_OUTPUT_DIR'));
  const client = new SeedanceClient({ apiKey: API_KEY, baseUrl: required(env.BENCH_API_URL, 'BENCH_API_URL') });
  const activities = createActivities({ client, storage, download: { allowPrivateUrls: true } });
  const activity = new MockActivityEnvironment(
    { activityType: 'downloadVideo', heartbeatTimeoutMs: 10_000 },
    { logger: new DefaultLogger('WARN') },
  );
  let heartbeats = 0;
  activity.on('heartbeat', () => heartbeats++);

  global.gc?.();
  const idleRss = (await memory()).rss;
  await writeFile('/proc/self/clear_refs', '5');
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const stored = (await activity.run(activities.downloadVideo, {
    taskId: required(env.BENCH_TASK_ID, 'BENCH_TASK_ID'),
    fileName: required(env.BENCH_FILE_NAME, 'BENCH_FILE_NAME'),
  })) as StoredVideo;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { user, system } = process.cpuUsage(cpu);
  const { peak } = await memory();
  await client.close();
  const report: WorkerReport = {
    bytes: stored.bytes,
    sha256: stored.sha256,
    seconds,
    heartbeats,
    cpuSeconds: (user + system) / 1e6,
    idleRss,
    peakRss: peak,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function memory(): Promise<{ rss: number; peak: number }> {
  const status = await readFile('/proc/self/status', 'utf8');
  const kib = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
