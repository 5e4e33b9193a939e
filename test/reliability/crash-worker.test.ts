/**
 * Crash scenarios 1, 2, 6, 7, 21 and 22 (docs/reliability-scenarios.md), with real processes: the
 * production worker (`src/worker.ts`) as a child process that the test kills with -9, stops
 * gracefully with SIGTERM or freezes with SIGSTOP; a dev server on a SQLite file; the simulator in
 * this process, where the test throttles the download and reads every request it served.
 *
 * Each scenario has a stack of its own (server, simulator, output directory, workers). The kill
 * around the create waits minutes for a timeout, so it runs beside the others; those run one at a
 * time.
 *
 * On either provider (test/helpers/provider.ts); 22, a zombie's writes into the file transfer, is
 * provider-neutral and runs on the reseller only.
 */
import { fileURLToPath } from 'node:url';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, it } from 'vitest';
import { DEFAULT_DOWNLOAD_POLICY } from '../../src/activities/dependencies';
import type { AnySimulator } from '../../src/simulator';
import { loadSampleVideo, withTrailingFreeBox } from '../../src/simulator/sample-video';
import type { GenerateSeedanceVideoInput } from '../../src/contract/types';
import {
  CRASH_WAIT_MS,
  TASK_QUEUE,
  finishTask,
  pendingDownload,
  seedCompletedTask,
  seedProcessingTask,
  serverCheckpoint,
  startCrashStack,
  startCrashStackUnderTest,
  firstTimer,
} from '../helpers/crash-stack';
import { outputContents, sha256OfFile } from '../helpers/files';
import { itProviderNeutral } from '../helpers/provider';
import { activityAttempts, durationMs, eventTimeMs, eventsOf, historyEvents } from '../helpers/history';
import { bytesReServed, rangeStart, statusRequests, videoRequests } from '../helpers/requests';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { sleep, until } from '../helpers/wait';
import { startAwait, startGenerate } from '../helpers/workflows';

const LIGHTHOUSE: GenerateSeedanceVideoInput = {
  request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: 'a lighthouse in the fog' }] },
};

/** How often the worker sends heartbeats on (`maxHeartbeatThrottleInterval` in src/create-worker.ts). */
const HEARTBEAT_SEND_INTERVAL_MS = 2_000;
/** How often the download fsyncs and heartbeats its offset. */
const CHECKPOINT_INTERVAL_MS = DEFAULT_DOWNLOAD_POLICY.checkpointIntervalMs;
/**
 * Slack on top of those: a checkpoint waits for the next chunk (100 ms throttle ticks), the heartbeat
 * RPC takes a moment, and a loaded two-core machine delays timers.
 */
const HEARTBEAT_LAG_SLACK_MS = 1_000;

describe.concurrent('the worker crashes', () => {
  // About two minutes of waiting for the create activity's start-to-close timeout: it runs beside
  // the other scenarios, which run one at a time so the two-core machine keeps up with them.
  it('7: killed (-9) after the API accepted the create, before its result reached the server: one remote task, then SeedanceCreateOutcomeUnknown', async ({
    expect,
    onTestFinished,
  }) => {
    // The simulator reads its clock first thing for every request: when a create arrives, the
    // test shuts this worker off from the server. The API accepts the POST and answers; the
    // worker reads the answer, but its completion can never reach the server.
    let proxy: TcpProxy | undefined;
    let simulator: AnySimulator | undefined;
    const stack = await startCrashStackUnderTest({
      clock: () => {
        if (simulator?.requests.at(-1)?.kind === 'create') proxy?.holdUpstream();
        return Date.now();
      },
    });
    proxy = await startTcpProxy(stack.server.address);
    simulator = stack.sim;
    onTestFinished(async () => {
      await proxy?.close();
      await stack.close();
    });
    const { sim } = stack;
    const worker = await stack.startWorker({ TEMPORAL_ADDRESS: proxy.address });
    const handle = await startGenerate(stack.client, TASK_QUEUE, LIGHTHOUSE, {
      workflowId: 'generate-killed-after-create',
    });

    const created = await until(
      () => sim.requests.find((r) => r.kind === 'create' && r.complete),
      CRASH_WAIT_MS,
      'the create answered',
    );
    expect(created.status).toBe(200);
    await sleep(500); // the worker reads the answer and sends its completion (into the proxy)
    await worker.kill('SIGKILL');
    expect(proxy.heldBytes()).toBeGreaterThan(0);
    proxy.dropAll();
    await stack.startWorker();

    // The create activity has no heartbeat: the server learns of the lost worker at its start-to-close timeout.
    const error = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe('SeedanceCreateOutcomeUnknown');
    expect(sim.createCount()).toBe(1);
    expect(sim.requests.filter((r) => r.kind === 'create')).toHaveLength(1);
    expect(activityAttempts(await historyEvents(handle)).filter((a) => a.type === 'createVideoTask')).toEqual([
      { type: 'createVideoTask', attempt: 1, outcome: 'timedOut' },
    ]);
  }, 200_000);

  describe('one at a time, beside the create crash', () => {
    it.sequential(
      '1: killed (-9) while the workflow waits on a timer, a new worker completes the same run with the right bytes',
      async ({ expect, onTestFinished }) => {
        const stack = await startCrashStackUnderTest();
        onTestFinished(() => stack.close());
        const { sim, client } = stack;
        const worker = await stack.startWorker();
        const task = await seedProcessingTask(sim);
        const handle = await startAwait(client, TASK_QUEUE, { taskId: task.id });

        const timer = await firstTimer(handle);
        finishTask(sim, task.id);
        await worker.kill('SIGKILL');
        const killedAt = Date.now();
        const firesAt = eventTimeMs(timer) + durationMs(timer.timerStartedEventAttributes!.startToFireTimeout);
        // The timer fires on the server while no worker runs; the next worker learns it from history.
        await sleep(Math.max(0, firesAt - Date.now()) + 500);
        const restartedAt = Date.now();
        await stack.startWorker();
        const result = await handle.result();

        const events = await historyEvents(handle);
        const fired = eventsOf(events, 'timerFiredEventAttributes');
        expect(fired).toHaveLength(1);
        expect(eventTimeMs(fired[0]!)).toBeGreaterThan(killedAt);
        expect(eventTimeMs(fired[0]!)).toBeLessThan(restartedAt);
        expect(eventsOf(events, 'timerStartedEventAttributes')).toHaveLength(1); // not restarted by the new worker
        expect((await handle.describe()).runId).toBe(handle.firstExecutionRunId);
        expect(eventsOf(events, 'workflowExecutionContinuedAsNewEventAttributes')).toHaveLength(0);
        expect(result).toMatchObject({
          taskId: task.id,
          status: 'completed',
          checks: 2,
          video: { bytes: sim.video.length, sha256: sim.videoSha256 },
        });
        expect(await sha256OfFile(fileURLToPath(result.video.uri))).toBe(sim.videoSha256);
        expect(statusRequests(sim, task.id)).toHaveLength(2);
        expect(videoRequests(sim, task.id).map((r) => [r.status, r.range])).toEqual([[200, undefined]]);
      },
      90_000,
    );

    it.sequential(
      '2: killed (-9) at 40% of the download, the retry resumes with Range and re-downloads at most one heartbeat interval',
      async ({ expect, onTestFinished }) => {
        const stack = await startCrashStackUnderTest();
        onTestFinished(() => stack.close());
        const { sim, client } = stack;
        const size = sim.video.length;
        // About 15 s for the whole file: the kill at 40% lands after several checkpoints.
        const bytesPerSecond = 12_000;
        const worker = await stack.startWorker();
        const task = await seedCompletedTask(sim);
        sim.inject({ target: 'video', kind: 'throttle', bytesPerSecond, persistent: true });
        const handle = await startAwait(client, TASK_QUEUE, { taskId: task.id });

        const first = await until(
          () => videoRequests(sim, task.id).find((r) => r.bytesServed >= 0.4 * size),
          CRASH_WAIT_MS,
          '40% served',
        );
        await worker.kill('SIGKILL');
        const servedBeforeKill = first.bytesServed;
        // The server's copy of the last heartbeat: all a retry knows about the first attempt.
        const checkpoint = await serverCheckpoint(handle);
        sim.clearFaults(); // the retry may go at full speed
        await stack.startWorker();
        const result = await handle.result();

        const requests = videoRequests(sim, task.id);
        expect(requests).toHaveLength(2);
        expect(checkpoint?.offset).toBeGreaterThan(0);
        expect(requests[1]).toMatchObject({
          status: 206,
          range: `bytes=${checkpoint!.offset}-`,
          ifRange: checkpoint!.etag,
        });
        const reServed = bytesReServed(sim, task.id);
        // The disk is the checkpoint and the heartbeat only points at it, so the heartbeat may lag the
        // file by one send interval plus one checkpoint interval.
        // Without a resume the retry would re-serve all 40% (about 71 KB), far above this.
        const bound =
          (bytesPerSecond * (HEARTBEAT_SEND_INTERVAL_MS + CHECKPOINT_INTERVAL_MS + HEARTBEAT_LAG_SLACK_MS)) / 1000;
        console.log(
          `scenario 2: killed at ${servedBeforeKill} of ${size} bytes; server checkpoint ${checkpoint!.offset}; ` +
            `re-served ${reServed} bytes (${((reServed / bytesPerSecond) * 1000).toFixed(0)} ms of transfer); bound ${bound}`,
        );
        expect(reServed).toBeGreaterThanOrEqual(0);
        expect(reServed).toBeLessThanOrEqual(bound);
        expect(result.video).toMatchObject({ bytes: size, sha256: sim.videoSha256 });
        expect(await sha256OfFile(fileURLToPath(result.video.uri))).toBe(sim.videoSha256);
        expect(activityAttempts(await historyEvents(handle)).filter((a) => a.type === 'downloadVideo')).toEqual([
          { type: 'downloadVideo', attempt: 2, outcome: 'completed' },
        ]);
        expect(await outputContents(stack.outputDir)).toEqual({ files: [`${task.id}.mp4`], partials: [] });
      },
      90_000,
    );

    it.sequential(
      '6: the file was stored but the completion never reached the server: the retry returns it with no video body bytes',
      async ({ expect, onTestFinished }) => {
        const stack = await startCrashStackUnderTest();
        const proxy = await startTcpProxy(stack.server.address);
        onTestFinished(async () => {
          await proxy.close();
          await stack.close();
        });
        const { sim, client } = stack;
        const size = sim.video.length;
        // This worker talks to the server through a proxy the test can shut.
        const worker = await stack.startWorker({ TEMPORAL_ADDRESS: proxy.address });
        const task = await seedCompletedTask(sim);
        sim.inject({ target: 'video', kind: 'throttle', bytesPerSecond: 60_000, persistent: true });
        const handle = await startAwait(client, TASK_QUEUE, { taskId: task.id });

        await until(
          () => videoRequests(sim, task.id).find((r) => r.bytesServed >= 0.9 * size),
          CRASH_WAIT_MS,
          '90% served',
        );
        // From now on the server hears nothing from this worker: the download ends, the file is
        // verified and renamed into place, and the activity's completion goes nowhere.
        proxy.holdUpstream();
        const finalPath = path.join(stack.outputDir, `${task.id}.mp4`);
        await until(
          () =>
            fs.stat(finalPath).then(
              () => true,
              () => false,
            ),
          CRASH_WAIT_MS,
          'the final file',
        );
        await sleep(500); // time to send the completion (into the proxy)
        await worker.kill('SIGKILL');
        proxy.dropAll();
        expect(await sha256OfFile(finalPath)).toBe(sim.videoSha256);
        expect(await pendingDownloadAttempt(handle)).toBe(1); // the server still waits for attempt 1

        await stack.startWorker();
        const result = await handle.result();

        const [, ...retry] = videoRequests(sim, task.id);
        // The retry only asks whether the host still has exactly that many bytes: 416, no body.
        expect(retry).toHaveLength(1);
        expect(retry[0]).toMatchObject({ status: 416, range: `bytes=${size}-`, bytesServed: 0 });
        expect(bytesReServed(sim, task.id)).toBe(0);
        expect(activityAttempts(await historyEvents(handle)).filter((a) => a.type === 'downloadVideo')).toEqual([
          { type: 'downloadVideo', attempt: 2, outcome: 'completed' },
        ]);
        expect(result.video).toMatchObject({ bytes: size, sha256: sim.videoSha256 });
        expect(await sha256OfFile(finalPath)).toBe(sim.videoSha256);
        expect(await outputContents(stack.outputDir)).toEqual({ files: [`${task.id}.mp4`], partials: [] });
      },
      90_000,
    );

    it.sequential(
      '7: the API accepted the create but its response was lost: a typed SeedanceCreateOutcomeUnknown, one POST, never retried',
      async ({ expect, onTestFinished }) => {
        const stack = await startCrashStackUnderTest();
        onTestFinished(() => stack.close());
        const { sim } = stack;
        await stack.startWorker();
        sim.inject({ target: 'create', kind: 'dropResponse' });
        const handle = await startGenerate(stack.client, TASK_QUEUE, LIGHTHOUSE, {
          workflowId: 'generate-lost-response',
        });

        const error = await handle.result().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(WorkflowFailedError);
        const cause = (error as WorkflowFailedError).cause;
        expect(cause).toBeInstanceOf(ApplicationFailure);
        expect((cause as ApplicationFailure).type).toBe('SeedanceCreateOutcomeUnknown');
        expect(sim.createCount()).toBe(1);
        expect(sim.requests.filter((r) => r.kind === 'create')).toHaveLength(1);
        expect(sim.requests.filter((r) => r.kind === 'status')).toEqual([]);
        expect(activityAttempts(await historyEvents(handle)).filter((a) => a.type === 'createVideoTask')).toEqual([
          { type: 'createVideoTask', attempt: 1, outcome: 'failed' },
        ]);
      },
      60_000,
    );

    it.sequential(
      '21: SIGTERM mid-download with a 1 s grace time keeps the partial, and the next worker resumes it with Range',
      async ({ expect, onTestFinished }) => {
        const stack = await startCrashStackUnderTest();
        onTestFinished(() => stack.close());
        const { sim, client } = stack;
        const size = sim.video.length;
        const bytesPerSecond = 10_000; // about 18 s for the file: far more than the grace time
        const worker = await stack.startWorker({ SEEDANCE_SHUTDOWN_GRACE_MS: '1000' });
        const task = await seedCompletedTask(sim);
        sim.inject({ target: 'video', kind: 'throttle', bytesPerSecond, persistent: true });
        const handle = await startAwait(client, TASK_QUEUE, { taskId: task.id });

        await until(
          () => videoRequests(sim, task.id).find((r) => r.bytesServed >= 0.3 * size),
          CRASH_WAIT_MS,
          '30% served',
        );
        const stoppingAt = Date.now();
        expect(await worker.kill('SIGTERM')).toBe(0);
        const stopMs = Date.now() - stoppingAt;

        const { partials } = await outputContents(stack.outputDir);
        expect(partials).toHaveLength(1); // the partial is kept...
        const partialSize = (await fs.stat(path.join(stack.stagingDir, partials[0]!))).size;
        const servedToFirst = videoRequests(sim, task.id)[0]!.bytesServed;
        // ...and the server's checkpoint points at all of it.
        expect(await serverCheckpoint(handle)).toMatchObject({ partial: partials[0], offset: partialSize });
        console.log(`scenario 21: stopped in ${stopMs} ms; kept ${partialSize} bytes of ${servedToFirst} served`);

        sim.clearFaults();
        await stack.startWorker();
        const result = await handle.result();

        const requests = videoRequests(sim, task.id);
        expect(requests).toHaveLength(2);
        expect(requests[1]).toMatchObject({ status: 206, range: `bytes=${partialSize}-` });
        expect(bytesReServed(sim, task.id)).toBe(servedToFirst - partialSize); // only what was in flight at the stop
        expect(result.video).toMatchObject({ bytes: size, sha256: sim.videoSha256 });
        expect(await sha256OfFile(fileURLToPath(result.video.uri))).toBe(sim.videoSha256);
        expect(await outputContents(stack.outputDir)).toEqual({ files: [`${task.id}.mp4`], partials: [] });
      },
      90_000,
    );

    itProviderNeutral.sequential(
      '22: a worker frozen (SIGSTOP) past the heartbeat timeout is replaced; thawed, the zombie stops at its next heartbeat and one verified file remains',
      async ({ expect, onTestFinished }) => {
        // A 4 MB video at 10 KB/s: while the worker is frozen the simulator keeps filling the socket
        // buffers, but the thawed zombie still has most of the file to go, so it must learn that it
        // is a zombie to stop.
        const stack = await startCrashStack({
          video: withTrailingFreeBox(loadSampleVideo(), 'padding '.repeat(512 * 1024)),
        });
        const proxy = await startTcpProxy(stack.server.address);
        onTestFinished(async () => {
          await proxy.close();
          await stack.close();
        });
        const { sim, client } = stack;
        const size = sim.video.length;
        const zombie = await stack.startWorker({ TEMPORAL_ADDRESS: proxy.address });
        const task = await seedCompletedTask(sim);
        sim.inject({ target: 'video', kind: 'throttle', bytesPerSecond: 10_000, persistent: true });
        const handle = await startAwait(client, TASK_QUEUE, { taskId: task.id });

        const first = await until(
          () => videoRequests(sim, task.id).find((r) => r.bytesServed >= 30_000),
          CRASH_WAIT_MS,
          'the first 30 KB served',
        );
        zombie.signal('SIGSTOP');
        // A frozen worker's open long polls would go on taking the retries (each then times out after
        // 10 s) until the server expires them, about a minute (measured: attempts 2-4, 70 s). A paused
        // machine's connections break; so do these, and the server forgets the frozen worker's polls.
        proxy.dropAll();
        const frozenAt = Date.now();
        sim.clearFaults(); // the frozen response stays throttled; the next one goes at full speed
        await stack.startWorker();
        const second = await until(
          () => videoRequests(sim, task.id)[1],
          60_000,
          'the new worker resuming the download',
        );
        const takeoverMs = Date.now() - frozenAt;
        const result = await handle.result();
        expect(first.complete).toBe(false);
        expect(second).toMatchObject({ status: 206 });
        expect(rangeStart(second)).toBeGreaterThan(0); // resumed from the frozen attempt's checkpoint

        let zombieStoppedAt = 0;
        sim.onRequest = (entry) => {
          if (entry === first) zombieStoppedAt = Date.now();
        };
        const thawedAt = Date.now();
        zombie.signal('SIGCONT');
        await until(() => zombieStoppedAt > 0, 15_000, 'the zombie dropping its download');
        await zombie.waitForLog('this attempt was replaced on the server', 10_000);
        await sleep(500); // let it finish its clean-up
        const attempts = activityAttempts(await historyEvents(handle)).filter((a) => a.type === 'downloadVideo');
        console.log(
          `scenario 22: the new worker resumed ${takeoverMs} ms after the freeze; ` +
            `the zombie stopped ${zombieStoppedAt - thawedAt} ms after SIGCONT, having been served ${first.bytesServed} of ${size} bytes`,
        );
        expect(zombieStoppedAt - thawedAt).toBeLessThan(5_000);
        expect(first.complete).toBe(false);
        expect(first.bytesServed).toBeLessThan(size / 2);
        expect(zombie.log()).not.toContain('Activity failed'); // stopped as a zombie, not by a download error

        expect(attempts).toEqual([{ type: 'downloadVideo', attempt: 2, outcome: 'completed' }]);
        expect(result.video).toMatchObject({ bytes: size, sha256: sim.videoSha256 });
        expect(await sha256OfFile(fileURLToPath(result.video.uri))).toBe(sim.videoSha256);
        expect(await outputContents(stack.outputDir)).toEqual({ files: [`${task.id}.mp4`], partials: [] });
      },
      90_000,
    );
  });
});

async function pendingDownloadAttempt(handle: Parameters<typeof serverCheckpoint>[0]): Promise<number | undefined> {
  return (await pendingDownload(handle))?.attempt ?? undefined;
}
