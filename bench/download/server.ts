/**
 * The download benchmark's file host, in a process of its own so that it shares neither the
 * worker's event loop nor its CPU accounting: the simulator (reseller mode) serving a padded MP4
 * of `BENCH_VIDEO_BYTES`, with one completed task. Prints one JSON line
 * `{ url, taskId, videoUrl, sha256 }` once listening, then serves until SIGTERM.
 */
import { createSimulator } from '../../src/simulator';
import { paddedVideo } from './video';

export const BENCH_API_KEY = 'bench-key';

async function main(): Promise<void> {
  const bytes = Number(process.env.BENCH_VIDEO_BYTES);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new Error('BENCH_VIDEO_BYTES must be a positive integer');
  const sim = await createSimulator({ apiKey: BENCH_API_KEY, video: paddedVideo(bytes) });
  const task = await sim.addTask({ model: 'seedance_1_5_pro_1080p', createdMs: Date.now() - 3_600_000 });
  const videoUrl = sim.signedVideoUrl(task.id, Date.now() + 24 * 3_600_000);
  process.stdout.write(`${JSON.stringify({ url: sim.url, taskId: task.id, videoUrl, sha256: sim.videoSha256 })}\n`);
  const stop = (): void => void sim.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
