/**
 * Issue 7 (fleet), S3 output: two production workers (`src/worker.ts` as child processes), each on
 * its own "machine" (working directory and TMPDIR), storing to a real SeaweedFS through a proxy
 * that logs every S3 request. The worker running a download is killed with -9 at about 40 %; the
 * other one completes the same multipart upload from the server's last heartbeat. Then no
 * multipart upload is left behind by a download that completed, was cancelled, or failed.
 *
 * The oracles are outside the code under test: the simulator's request log (bytes served, Range),
 * the proxy's log of S3 calls (which upload each call names), S3 listings and a plain GET of the
 * object, and the workflow history.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DEFAULT_DOWNLOAD_POLICY } from '../../src/activities/dependencies';
import { cancelSignal } from '../../src/contract/definitions';
import { MAX_HEARTBEAT_THROTTLE_INTERVAL } from '../../src/create-worker';
import type { DownloadCheckpoint } from '../../src/storage/sink';
import { DEFAULT_PART_SIZE } from '../../src/storage/s3/multipart-upload';
import type { S3SinkCheckpoint } from '../../src/storage/s3/s3-sink';
import { workflowFailure } from '../helpers/assertions';
import {
  CRASH_WAIT_MS,
  TASK_QUEUE,
  pendingDownload,
  seedCompletedTask,
  serverCheckpoint,
  startCrashStack,
  type CrashStack,
} from '../helpers/crash-stack';
import { activityAttempts, historyEvents, startedAttempts } from '../helpers/history';
import { createMachines, type Machines } from '../helpers/machines';
import { MIB } from '../helpers/process-memory';
import { bytesReServed, videoRequests } from '../helpers/requests';
import { startTestBucket, type TestBucket } from '../helpers/s3-bucket';
import { startS3FaultProxy, type S3FaultProxy, type S3Operation } from '../helpers/s3-fault-proxy';
import { objectDigest, objectMetadata } from '../helpers/s3-object';
import { until } from '../helpers/wait';
import { videoOfSize } from '../helpers/video-of-size';
import type { WorkerProcess } from '../helpers/worker-process';
import { startAwait } from '../helpers/workflows';

const BUCKET = 'fleet-videos';
const PREFIX = 'fleet/';
/** The production worker's part size: `SEEDANCE_OUTPUT=s3://...` uses the multipart default. */
const PART_SIZE = DEFAULT_PART_SIZE;
const VIDEO_BYTES = 64 * MIB;
/** The download's pace until the kill: 40 % is reached after about 6 s, several parts in. */
const BYTES_PER_SECOND = 4 * MIB;
const HEARTBEAT_SEND_INTERVAL_MS = Number.parseInt(MAX_HEARTBEAT_THROTTLE_INTERVAL, 10) * 1000;
const CHECKPOINT_INTERVAL_MS = DEFAULT_DOWNLOAD_POLICY.checkpointIntervalMs;
/** A checkpoint waits for the next chunk, the heartbeat RPC takes a moment, timers run late on two busy cores. */
const HEARTBEAT_LAG_SLACK_MS = 1_000;

let bucket: TestBucket;
let proxy: S3FaultProxy;
let stack: CrashStack;
let machines: Machines;
let workers: WorkerProcess[];

beforeAll(async () => {
  [bucket, stack, machines] = await Promise.all([
    startTestBucket(BUCKET),
    startCrashStack({ video: videoOfSize(VIDEO_BYTES) }),
    createMachines(),
  ]);
  proxy = await startS3FaultProxy(bucket.server.endpoint);
  const startOn = async (name: string, options: { waitUntilReady: boolean }) => {
    const machine = await machines.add(name);
    const env = {
      ...bucket.server.env,
      AWS_ENDPOINT_URL_S3: proxy.endpoint,
      ...machine.env,
      SEEDANCE_OUTPUT: `s3://${BUCKET}/${PREFIX}`,
    };
    return stack.startWorker(env, { cwd: machine.cwd, ...options });
  };
  // Each worker bundles the workflow code as it starts, which takes a busy two-core machine tens of
  // seconds: the second machine joins the fleet while the first one downloads.
  workers = [await startOn('machine-a', { waitUntilReady: true })];
  workers.push(await startOn('machine-b', { waitUntilReady: false }));
});

afterAll(async () => {
  await stack?.close();
  await proxy?.close();
  await bucket?.close();
  await machines?.remove();
});

const keyOf = (taskId: string) => `${PREFIX}${taskId}.mp4`;

/** The S3 calls of one operation on one key, from the proxy's log. */
function callsOn(operation: S3Operation, key: string) {
  return proxy.requests(operation).filter((request) => request.path === `/${BUCKET}/${key}`);
}

/** The worker process that ran the pending download's last attempt (identity `<pid>@<host>`). */
async function workerRunningDownload(handle: WorkflowHandle): Promise<WorkerProcess | undefined> {
  const identity = (await pendingDownload(handle))?.lastWorkerIdentity ?? '';
  return workers.find((worker) => identity.startsWith(`${worker.pid}@`));
}

/**
 * Lists `key` every 50 ms until stopped, each listing marked with whether the upload's completion
 * had reached S3 (the proxy) before the listing was sent.
 */
function watchListings(key: string) {
  const listings: { afterComplete: boolean; keys: string[] }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const afterComplete = callsOn('CompleteMultipartUpload', key).length > 0;
      listings.push({ afterComplete, keys: await bucket.listedKeys(key) });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return listings;
    },
  };
}

describe.sequential('two workers on separate machines, S3 output', () => {
  it('2: the worker downloading is killed (-9) at 40%: the worker on the other machine completes the same multipart upload, re-downloading at most one part and one checkpoint interval', async ({
    expect,
    onTestFinished,
  }) => {
    const { sim, client } = stack;
    onTestFinished(() => sim.clearFaults());
    const task = await seedCompletedTask(sim);
    const key = keyOf(task.id);
    sim.inject({ target: 'video', kind: 'throttle', bytesPerSecond: BYTES_PER_SECOND, persistent: true });
    const handle = await startAwait(client, TASK_QUEUE, { taskId: task.id });
    const listings = watchListings(key);

    const first = await until(
      () => videoRequests(sim, task.id).find((r) => r.bytesServed >= 0.4 * VIDEO_BYTES),
      CRASH_WAIT_MS,
      '40% served',
    );
    const killed = await workerRunningDownload(handle);
    expect(killed).toBeDefined();
    await killed!.kill('SIGKILL');
    const servedBeforeKill = first.bytesServed;
    const survivor = workers.find((worker) => worker !== killed)!;
    await survivor.ready;
    // The server's copy of the last heartbeat: all the survivor learns about the first attempt.
    const checkpoint = (await serverCheckpoint(handle)) as DownloadCheckpoint<S3SinkCheckpoint> | undefined;
    const openAtKill = await bucket.pendingUploads(key);
    sim.clearFaults(); // the retry may go at full speed
    const result = await handle.result();
    const seen = await listings.stop();

    const uploadId = checkpoint?.upload.uploadId;
    const reServed = bytesReServed(sim, task.id);
    // The heartbeat holds the last uploaded part, and reaches the server up to one send interval plus
    // one checkpoint interval after it was taken; the bytes after that part are served again.
    // Without a resume the retry would re-serve all 40 % (about 26 MiB), above this.
    const bound =
      PART_SIZE +
      (BYTES_PER_SECOND * (HEARTBEAT_SEND_INTERVAL_MS + CHECKPOINT_INTERVAL_MS + HEARTBEAT_LAG_SLACK_MS)) / 1000;
    console.log(
      `S3 fleet: killed worker ${killed!.pid} at ${servedBeforeKill} of ${VIDEO_BYTES} bytes; server checkpoint ` +
        `${checkpoint?.offset} (${checkpoint?.upload.parts.length} parts of ${PART_SIZE}); re-served ${reServed} bytes; ` +
        `bound ${bound}; ${seen.length} listings while it ran`,
    );

    expect(checkpoint?.offset).toBeGreaterThanOrEqual(PART_SIZE);
    expect(checkpoint!.offset).toBe(checkpoint!.upload.parts.length * PART_SIZE);
    const requests = videoRequests(sim, task.id);
    expect(requests).toHaveLength(2);
    expect(requests[1]).toMatchObject({ status: 206, range: `bytes=${checkpoint!.offset}-` });
    expect(reServed).toBeGreaterThanOrEqual(0);
    expect(reServed).toBeLessThanOrEqual(bound);
    expect(reServed).toBeLessThan(servedBeforeKill);

    // One multipart upload, opened by the first worker, continued and completed by the survivor.
    expect(uploadId).toBeTruthy();
    expect(openAtKill).toEqual([{ key, uploadId }]);
    expect(callsOn('CreateMultipartUpload', key)).toHaveLength(1);
    const namingTheUpload = ['UploadPart', 'ListParts', 'CompleteMultipartUpload'] as const;
    const uploadIds = namingTheUpload.flatMap((operation) => callsOn(operation, key).map((call) => call.uploadId));
    expect(new Set(uploadIds)).toEqual(new Set([uploadId]));
    expect(callsOn('ListParts', key).length).toBeGreaterThanOrEqual(1); // the survivor's resume checked the parts
    expect(callsOn('CompleteMultipartUpload', key).length).toBeGreaterThanOrEqual(1);
    expect(callsOn('AbortMultipartUpload', key)).toEqual([]);
    const events = await historyEvents(handle);
    expect(activityAttempts(events).filter((a) => a.type === 'downloadVideo')).toEqual([
      { type: 'downloadVideo', attempt: 2, outcome: 'completed' },
    ]);
    const [completing] = startedAttempts({ events }, 'downloadVideo');
    expect(completing?.activityTaskStartedEventAttributes?.identity).toMatch(new RegExp(`^${survivor.pid}@`));

    // Nothing under the key until the upload was completed, then the verified object.
    expect(seen.filter((listing) => !listing.afterComplete).length).toBeGreaterThan(20);
    expect(seen.filter((listing) => !listing.afterComplete && listing.keys.length > 0)).toEqual([]);
    expect(result.video).toEqual({ uri: `s3://${BUCKET}/${key}`, bytes: VIDEO_BYTES, sha256: sim.videoSha256 });
    expect(await objectDigest(bucket.client, BUCKET, key)).toEqual({ bytes: VIDEO_BYTES, sha256: sim.videoSha256 });
    expect(await objectMetadata(bucket.client, BUCKET, key)).toMatchObject({
      sha256: sim.videoSha256,
      'task-id': task.id,
    });
    expect(await bucket.listedKeys(PREFIX)).toEqual([key]);
    expect(await bucket.pendingUploads(PREFIX)).toEqual([]);
  }, 90_000);

  it('20: a download cancelled by signal mid-upload leaves no multipart upload and no object', async ({
    expect,
    onTestFinished,
  }) => {
    const { sim, client } = stack;
    onTestFinished(() => sim.clearFaults());
    const task = await seedCompletedTask(sim);
    const key = keyOf(task.id);
    // One part and a bit, then nothing: the download waits mid-upload until the cancel reaches it.
    sim.inject({ target: 'video', kind: 'stall', afterBytes: PART_SIZE + MIB });
    const handle = await startAwait(client, TASK_QUEUE, { taskId: task.id });
    await until(
      () =>
        videoRequests(sim, task.id)[0]?.bytesServed === PART_SIZE + MIB &&
        callsOn('UploadPart', key).some((call) => call.status === 200),
      CRASH_WAIT_MS,
      'one part uploaded, then the host stalling',
    );
    const open = await bucket.pendingUploads(key);
    expect(open).toHaveLength(1);

    await handle.signal(cancelSignal, { reason: 'no longer needed' });
    const failure = await workflowFailure(handle.result());

    expect(failure.type).toBe('SeedanceWorkflowCancelled');
    expect(callsOn('CreateMultipartUpload', key)).toHaveLength(1);
    expect(callsOn('AbortMultipartUpload', key).map((call) => call.uploadId)).toContain(open[0]!.uploadId);
    expect(callsOn('CompleteMultipartUpload', key)).toEqual([]);
    expect(await bucket.pendingUploads(PREFIX)).toEqual([]);
    expect(await bucket.listedKeys(key)).toEqual([]);
  }, 60_000);

  it('15: a failed download (the host serves a page, not an MP4) leaves no multipart upload and no object', async ({
    expect,
    onTestFinished,
  }) => {
    const { sim, client } = stack;
    onTestFinished(() => sim.clearFaults());
    const task = await seedCompletedTask(sim);
    const key = keyOf(task.id);
    sim.inject({ target: 'video', kind: 'notMp4' });
    const handle = await startAwait(client, TASK_QUEUE, { taskId: task.id });

    const failure = await workflowFailure(handle.result());

    expect(failure.type).toBe('SeedanceInvalidVideo');
    expect(videoRequests(sim, task.id)).toHaveLength(1);
    // The upload was opened for the body, and aborted when the body failed the MP4 check.
    const created = callsOn('CreateMultipartUpload', key);
    expect(created).toHaveLength(1);
    expect(callsOn('AbortMultipartUpload', key)).toHaveLength(1);
    expect(callsOn('CompleteMultipartUpload', key)).toEqual([]);
    expect(await bucket.pendingUploads(PREFIX)).toEqual([]);
    expect(await bucket.listedKeys(key)).toEqual([]);
  }, 60_000);
});
