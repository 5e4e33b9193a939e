/**
 * Issue 7 (fleet), S3 sink: a 512 MiB video through the production worker (`src/worker.ts` as a
 * child process, `SEEDANCE_OUTPUT=s3://...`) into a real SeaweedFS. The worker must stream it: its
 * resident memory may grow by at most 64 MiB over its idle size, whatever the video's size. The
 * simulator holds the video in this process; the stored object is read back with a plain GET,
 * hashed as it streams.
 *
 * The peak is `VmHWM` from the worker's idle moment to the workflow's result (exact, with no poll
 * gap), cross-checked by polling `VmRSS`. Of the growth, the sink's own share is one part buffer
 * (8 MiB); the rest is the worker's first workflow and activity, and the per-read socket buffers
 * that wait for the next GC (Node reading the same body into nothing grows by about as much).
 */
import { describe, it } from 'vitest';
import { CRASH_WAIT_MS, TASK_QUEUE, seedCompletedTask, startCrashStack } from '../helpers/crash-stack';
import { createMachines } from '../helpers/machines';
import { MIB, residentMemory, resetPeak, sampleResidentMemory } from '../helpers/process-memory';
import { startTestBucket } from '../helpers/s3-bucket';
import { objectDigest, objectMetadata } from '../helpers/s3-object';
import { videoRequests } from '../helpers/requests';
import { sleep, until } from '../helpers/wait';
import { videoOfSize } from '../helpers/video-of-size';
import { startAwait } from '../helpers/workflows';

const VIDEO_BYTES = 512 * MIB;
const RSS_GROWTH_LIMIT = 64 * MIB;
const BUCKET = 'large-videos';
const PREFIX = 'videos/';

const mib = (bytes: number) => (bytes / MIB).toFixed(1);

describe('a 512 MiB video into S3', () => {
  it('is stored with the right sha256 while the worker grows by at most 64 MiB', async ({ expect, onTestFinished }) => {
    const [bucket, stack, machines] = await Promise.all([
      startTestBucket(BUCKET),
      startCrashStack({ video: videoOfSize(VIDEO_BYTES) }),
      createMachines(),
    ]);
    onTestFinished(async () => {
      await stack.close();
      await bucket.close();
      await machines.remove();
    });
    const { sim, client } = stack;
    expect(sim.video.length).toBe(VIDEO_BYTES);
    const machine = await machines.add('worker');
    const worker = await stack.startWorker(
      { ...bucket.server.env, ...machine.env, SEEDANCE_OUTPUT: `s3://${BUCKET}/${PREFIX}` },
      { cwd: machine.cwd },
    );
    await sleep(1_000); // past its start: connections up, polls out, nothing to do
    const idle = await residentMemory(worker.pid);
    await resetPeak(worker.pid);
    const sampler = sampleResidentMemory(worker.pid);

    let videoServedAt = 0;
    sim.onRequest = (entry) => {
      if (entry.kind === 'video' && entry.complete) videoServedAt = Date.now();
    };
    const task = await seedCompletedTask(sim);
    const handle = await startAwait(client, TASK_QUEUE, { taskId: task.id });
    const request = await until(() => videoRequests(sim, task.id)[0], CRASH_WAIT_MS, 'the video request');
    const atStart = await residentMemory(worker.pid);
    const result = await handle.result();
    const storedAt = Date.now();
    const sampledPeak = await sampler.stop();
    const peak = Math.max((await residentMemory(worker.pid)).peak, sampledPeak);

    const streamMs = videoServedAt - request.at;
    const totalMs = storedAt - request.at;
    const growth = peak - idle.rss;
    console.log(
      `512 MiB into S3: worker RSS idle ${mib(idle.rss)} MiB, at the first video byte ${mib(atStart.rss)} MiB, ` +
        `peak ${mib(peak)} MiB (VmHWM; polled every 50 ms: ${mib(sampledPeak)} MiB), growth ${mib(growth)} MiB ` +
        `(limit ${mib(RSS_GROWTH_LIMIT)}); ` +
        `body streamed in ${(streamMs / 1000).toFixed(1)} s (${mib((VIDEO_BYTES / streamMs) * 1000)} MiB/s), ` +
        `stored in ${(totalMs / 1000).toFixed(1)} s (${mib((VIDEO_BYTES / totalMs) * 1000)} MiB/s)`,
    );

    const key = `${PREFIX}${task.id}.mp4`;
    expect(result.video).toEqual({ uri: `s3://${BUCKET}/${key}`, bytes: VIDEO_BYTES, sha256: sim.videoSha256 });
    expect(videoRequests(sim, task.id)).toHaveLength(1);
    expect(await objectDigest(bucket.client, BUCKET, key)).toEqual({ bytes: VIDEO_BYTES, sha256: sim.videoSha256 });
    expect(await objectMetadata(bucket.client, BUCKET, key)).toMatchObject({
      sha256: sim.videoSha256,
      'task-id': task.id,
    });
    expect(await bucket.pendingUploads(PREFIX)).toEqual([]);
    expect(growth).toBeLessThanOrEqual(RSS_GROWTH_LIMIT);
  }, 180_000);
});
