/**
 * Download throughput of the real `downloadVideo` activity (stream, fsync+heartbeat checkpoints,
 * sha256, MP4 check, atomic rename) against the simulator on loopback, for a padded MP4 of a
 * realistic 1080p size. Prints MB/s; not a pass/fail test.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../src/activities';
import { SeedanceClient } from '../src/seedance/client';
import { createSimulator, loadSampleVideo } from '../src/simulator';
import { LocalDirectoryStorage, type StoredVideo } from '../src/storage';

const KEY = 'bench-key';

/** The sample MP4 with a large trailing `free` box: valid structure, realistic size. */
function paddedVideo(totalBytes: number): Buffer {
  const sample = loadSampleVideo();
  const pad = totalBytes - sample.length;
  const header = Buffer.alloc(8);
  header.writeUInt32BE(pad, 0);
  header.write('free', 4, 'latin1');
  return Buffer.concat([sample, header, Buffer.alloc(pad - 8, 0x2a)]);
}

export async function benchDownload(sizeMb = 64, runs = 3): Promise<void> {
  const video = paddedVideo(sizeMb * 1024 * 1024);
  const sim = await createSimulator({ apiKey: KEY, video });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-bench-'));
  try {
    const storage = await LocalDirectoryStorage.create(dir);
    const client = new SeedanceClient({ apiKey: KEY, baseUrl: sim.url });
    const activities = createActivities({ client, storage, download: { allowPrivateUrls: true } });
    const task = await sim.addTask({ model: 'seedance_1_5_pro_1080p', createdMs: Date.now() - 3_600_000 });
    const figures: number[] = [];
    for (let run = 0; run < runs; run++) {
      const env = new MockActivityEnvironment({ attempt: 1 });
      let heartbeats = 0;
      env.on('heartbeat', () => heartbeats++);
      const started = process.hrtime.bigint();
      const stored = (await env.run(activities.downloadVideo, {
        taskId: task.id,
        fileName: `run-${run}.mp4`,
      })) as StoredVideo;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const mbps = stored.bytes / 1024 / 1024 / seconds;
      figures.push(mbps);
      console.log(
        `download ${sizeMb} MiB run ${run + 1}: ${seconds.toFixed(2)} s, ${mbps.toFixed(1)} MiB/s, ${heartbeats} heartbeats`,
      );
      await fs.rm(path.join(dir, `run-${run}.mp4`));
    }
    figures.sort((a, b) => a - b);
    console.log(
      `download median: ${figures[Math.floor(figures.length / 2)]!.toFixed(1)} MiB/s (${runs} runs of ${sizeMb} MiB, loopback, fsync every 1 s)`,
    );
    await client.close();
  } finally {
    await sim.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
