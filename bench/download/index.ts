/**
 * The worker's whole download against `curl`, from the same loopback file host, for each size.
 *
 * Three processes, so that none shares another's event loop, CPU accounting or resident memory:
 * - the file host (`server.ts`): the simulator serving a padded MP4 of the size, started once per size;
 * - `curl -o <file>` writing the video into the output directory;
 * - the worker (`worker.ts`): the real `downloadVideo` activity (status read, stream, fsync'd
 *   checkpoints, length + sha256 + MP4 check, atomic rename into the same directory), one fresh
 *   process per run, reporting its idle RSS and its peak (`VmHWM` after `clear_refs`).
 *
 * One curl download warms the file host up first, uncounted; then each run is curl, curl followed
 * by `sync <file>` (the fsync the worker's durability costs, for reference), and the worker; the
 * table shows medians. `sync` runs before each download so
 * neither inherits the other's dirty pages. Env: BENCH_DOWNLOAD_SIZES_MIB (default 64,512),
 * BENCH_DOWNLOAD_RUNS (default 3), BENCH_DOWNLOAD_DIR (default the OS temp dir),
 * BENCH_DOWNLOAD_CPU_PROF (a directory: the worker runs with `--cpu-prof` into it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { WorkerReport } from './worker';

const MIB = 1024 * 1024;
const CURL = '/usr/bin/curl';
const HERE = __dirname;

export interface DownloadBenchOptions {
  sizesMiB: number[];
  runs: number;
  /** Where curl and the worker write (the same filesystem for both). */
  dir?: string;
  /** The worker runs with `--cpu-prof --cpu-prof-dir <cpuProfDir>`. */
  cpuProfDir?: string;
}

interface SizeFigures {
  sizeMiB: number;
  curl: number[];
  /** curl, then `sync <file>` (an fsync of the file): what the worker's durability costs on this disk. */
  curlSynced: number[];
  worker: number[];
  reports: WorkerReport[];
  /** CPU seconds the file host spent serving each worker run. */
  hostCpu: number[];
}

interface FileHost {
  pid: number;
  url: string;
  taskId: string;
  videoUrl: string;
  sha256: string;
  stop(): Promise<void>;
}

export function downloadBenchOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DownloadBenchOptions {
  const sizesMiB = (env.BENCH_DOWNLOAD_SIZES_MIB ?? '64,512').split(',').map((s) => Number(s.trim()));
  if (sizesMiB.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error('BENCH_DOWNLOAD_SIZES_MIB must be whole MiB, comma-separated');
  }
  const runs = Number(env.BENCH_DOWNLOAD_RUNS ?? '3');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('BENCH_DOWNLOAD_RUNS must be a positive integer');
  return {
    sizesMiB,
    runs,
    ...(env.BENCH_DOWNLOAD_DIR ? { dir: env.BENCH_DOWNLOAD_DIR } : {}),
    ...(env.BENCH_DOWNLOAD_CPU_PROF ? { cpuProfDir: path.resolve(env.BENCH_DOWNLOAD_CPU_PROF) } : {}),
  };
}

export async function benchDownload(options: DownloadBenchOptions): Promise<void> {
  console.log(
    `download against curl: load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const figures: SizeFigures[] = [];
  for (const sizeMiB of options.sizesMiB) figures.push(await benchSize(sizeMiB, options));
  printTable(figures, options.runs);
  console.log(
    `load average after: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

async function benchSize(sizeMiB: number, options: DownloadBenchOptions): Promise<SizeFigures> {
  const host = await startFileHost(sizeMiB * MIB);
  const dir = await fs.mkdtemp(path.join(options.dir ?? os.tmpdir(), 'seedance-bench-download-'));
  const figures: SizeFigures = { sizeMiB, curl: [], curlSynced: [], worker: [], reports: [], hostCpu: [] };
  try {
    await curlRun(host, dir, sizeMiB); // warms the file host up (its first body is served slower): not counted
    for (let run = 1; run <= options.runs; run++) {
      const curlMiBs = await curlRun(host, dir, sizeMiB);
      const curlSyncedMiBs = await curlRun(host, dir, sizeMiB, { fsync: true });
      const hostCpuBefore = await cpuSecondsOf(host.pid);
      const report = await workerRun(host, dir, `run-${run}.mp4`, options.cpuProfDir);
      const hostCpu = (await cpuSecondsOf(host.pid)) - hostCpuBefore;
      if (report.bytes !== sizeMiB * MIB || report.sha256 !== host.sha256) {
        throw new Error(`the worker stored ${report.bytes} bytes with sha256 ${report.sha256}, not the video`);
      }
      const workerMiBs = report.bytes / MIB / report.seconds;
      figures.curl.push(curlMiBs);
      figures.curlSynced.push(curlSyncedMiBs);
      figures.worker.push(workerMiBs);
      figures.reports.push(report);
      figures.hostCpu.push(hostCpu);
      console.log(
        `  ${sizeMiB} MiB run ${run}: curl ${curlMiBs.toFixed(1)} MiB/s (then fsync: ${curlSyncedMiBs.toFixed(1)}), worker ${workerMiBs.toFixed(1)} MiB/s ` +
          `(${report.seconds.toFixed(2)} s; CPU: worker ${report.cpuSeconds.toFixed(2)} s, host ${hostCpu.toFixed(2)} s), ` +
          `peak RSS ${mib(report.peakRss)} MiB (idle ${mib(report.idleRss)}), ${report.heartbeats} heartbeats`,
      );
    }
  } finally {
    await host.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
  return figures;
}

/**
 * curl's own transfer time (`time_total`: connect to last byte written), so process start is left
 * out; with `fsync`, plus the time of `sync <file>` after it (the wall time of that process).
 */
async function curlRun(host: FileHost, dir: string, sizeMiB: number, { fsync = false } = {}): Promise<number> {
  const file = path.join(dir, 'curl.mp4');
  spawnSync('sync');
  const result = spawnSync(
    CURL,
    ['-s', '-S', '-f', '-o', file, '-w', '%{time_total} %{size_download}', host.videoUrl],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(`curl failed (${result.status}): ${result.stderr}`);
  const [seconds, bytes] = result.stdout.trim().split(' ').map(Number) as [number, number];
  if (bytes !== sizeMiB * MIB) throw new Error(`curl downloaded ${bytes} bytes, not ${sizeMiB} MiB`);
  let syncSeconds = 0;
  if (fsync) {
    const started = process.hrtime.bigint();
    const synced = spawnSync('sync', [file]);
    if (synced.status !== 0) throw new Error(`sync ${file} failed (${synced.status})`);
    syncSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  }
  await fs.rm(file);
  return bytes / MIB / (seconds + syncSeconds);
}

async function workerRun(host: FileHost, dir: string, fileName: string, cpuProfDir?: string): Promise<WorkerReport> {
  spawnSync('sync');
  const profile = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  const child = spawn(process.execPath, ['--expose-gc', ...profile, '--import', 'tsx', path.join(HERE, 'worker.ts')], {
    env: {
      ...process.env,
      BENCH_API_URL: host.url,
      BENCH_TASK_ID: host.taskId,
      BENCH_OUTPUT_DIR: dir,
      BENCH_FILE_NAME: fileName,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (data: string) => (out += data));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the worker process exited with ${code}`);
  await fs.rm(path.join(dir, fileName));
  return JSON.parse(out.trim().split('\n').pop()!) as WorkerReport;
}

async function startFileHost(bytes: number): Promise<FileHost> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'server.ts')], {
    env: { ...process.env, BENCH_VIDEO_BYTES: String(bytes) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
    exited.then(([code]) => Promise.reject(new Error(`the file host exited with ${String(code)}`))),
  ]);
  const info = JSON.parse(first) as Omit<FileHost, 'stop' | 'pid'>;
  return {
    ...info,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function printTable(figures: SizeFigures[], runs: number): void {
  console.log(`\nmedians of ${runs} runs (curl -o and the worker, the same loopback file host in its own process):`);
  console.log(
    '| size | curl MiB/s | curl + fsync MiB/s | worker MiB/s | worker / curl | worker CPU s | host CPU s | worker peak RSS | growth over idle | heartbeats |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const f of figures) {
    const curl = median(f.curl);
    const worker = median(f.worker);
    const peak = median(f.reports.map((r) => r.peakRss));
    const growth = median(f.reports.map((r) => r.peakRss - r.idleRss));
    const heartbeats = median(f.reports.map((r) => r.heartbeats));
    const workerCpu = median(f.reports.map((r) => r.cpuSeconds));
    console.log(
      `| ${f.sizeMiB} MiB | ${curl.toFixed(1)} | ${median(f.curlSynced).toFixed(1)} | ${worker.toFixed(1)} | ` +
        `${(worker / curl).toFixed(2)}x | ${workerCpu.toFixed(2)} | ${median(f.hostCpu).toFixed(2)} | ` +
        `${mib(peak)} MiB | ${mib(growth)} MiB | ${heartbeats} |`,
    );
  }
  if (figures.length >= 2) {
    const [small, large] = [figures[0]!, figures[figures.length - 1]!];
    const peakOf = (f: SizeFigures) => median(f.reports.map((r) => r.peakRss));
    console.log(
      `worker peak RSS from the ${small.sizeMiB} MiB to the ${large.sizeMiB} MiB run: ` +
        `${(peakOf(large) - peakOf(small) >= 0 ? '+' : '') + mib(peakOf(large) - peakOf(small))} MiB (medians)`,
    );
  }
}

/** utime + stime of a process, from /proc/<pid>/stat (clock ticks of 1/100 s on Linux). */
async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}

if (require.main === module) {
  benchDownload(downloadBenchOptionsFromEnv()).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
