/**
 * Crash scenarios 3, 4 and 5 (docs/reliability-scenarios.md): the Temporal dev server killed with
 * -9 and restarted on the same SQLite file and ports, alone or together with the worker (the
 * production `src/worker.ts` as a child process). The simulator runs in this process and counts
 * requests.
 *
 * Each scenario has a stack of its own (server, simulator, output directory, workers); two
 * groups of them run side by side, each one scenario at a time. On either provider
 * (test/helpers/provider.ts).
 */
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import type { GenerateSeedanceVideoInput } from '../../src/contract/types';
import {
  CRASH_WAIT_MS,
  TASK_QUEUE,
  finishTask,
  seedCompletedTask,
  seedProcessingTask,
  startCrashStackUnderTest,
  firstTimer,
} from '../helpers/crash-stack';
import { outputContents, sha256OfFile } from '../helpers/files';
import { activityAttempts, durationMs, eventTimeMs, eventsOf, historyEvents } from '../helpers/history';
import { bytesReServed, rangeStart, videoRequests } from '../helpers/requests';
import { sleep, until } from '../helpers/wait';
import { startAwait, startGenerate } from '../helpers/workflows';

describe.concurrent('the Temporal server crashes', () => {
  describe('timers', () => {
    it.sequential(
      '3: killed (-9) during a timer and restarted after it was due: the timer fires late and the run completes',
      async ({ expect, onTestFinished }) => {
        const stack = await startCrashStackUnderTest();
        onTestFinished(() => stack.close());
        const { sim, client, server } = stack;
        await stack.startWorker();
        const task = await seedProcessingTask(sim);
        const handle = await startAwait(client, TASK_QUEUE, { taskId: task.id });

        const timer = await firstTimer(handle);
        finishTask(sim, task.id);
        const dueAt = eventTimeMs(timer) + durationMs(timer.timerStartedEventAttributes!.startToFireTimeout);
        await server.kill('SIGKILL');
        await sleep(Math.max(0, dueAt - Date.now()) + 3_000); // the timer is due while the server is down
        const restartingAt = Date.now();
        await server.restart();
        const result = await handle.result();

        const events = await historyEvents(handle);
        const fired = eventsOf(events, 'timerFiredEventAttributes');
        expect(fired).toHaveLength(1);
        console.log(
          `scenario 3: timer due at +0 ms fired at +${eventTimeMs(fired[0]!) - dueAt} ms (server back at +${restartingAt - dueAt} ms)`,
        );
        expect(eventTimeMs(fired[0]!)).toBeGreaterThanOrEqual(restartingAt);
        expect(eventsOf(events, 'timerStartedEventAttributes')).toHaveLength(1);
        expect((await handle.describe()).runId).toBe(handle.firstExecutionRunId);
        expect(result).toMatchObject({
          taskId: task.id,
          status: 'completed',
          checks: 2,
          video: { bytes: sim.video.length, sha256: sim.videoSha256 },
        });
        expect(await sha256OfFile(fileURLToPath(result.video.uri))).toBe(sim.videoSha256);
        expect(videoRequests(sim, task.id).map((r) => [r.status, r.range])).toEqual([[200, undefined]]);
      },
      90_000,
    );

    for (const firstUp of ['server', 'worker'] as const) {
      it.sequential(
        `5: server and worker both killed (-9) during a timer, restarted ${firstUp} first: completes with exactly one create POST`,
        async ({ expect, onTestFinished }) => {
          // The simulated API reports tasks as created 25 s ago (a clock skew the schedule tolerates),
          // so the first wait is the 480p interval of 10-20 s, not the 30 s earliest-finish estimate.
          // (ModelArk answers the create with the id alone, so the task is dated when the create
          // returned: its first wait is the 30 s estimate.) The fast profile renders in 3 s: the check after that wait
          // finds the task completed.
          const stack = await startCrashStackUnderTest({ clock: () => Date.now() - 25_000 });
          onTestFinished(() => stack.close());
          const { sim, client, server } = stack;
          const worker = await stack.startWorker();
          const input: GenerateSeedanceVideoInput = {
            request: { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: 'a paper boat on a river' }] },
          };
          const handle = await startGenerate(client, TASK_QUEUE, input, {
            workflowId: `generate-both-die-${firstUp}-first`,
          });

          const timer = await firstTimer(handle);
          expect(sim.createCount()).toBe(1);
          await Promise.all([worker.kill('SIGKILL'), server.kill('SIGKILL')]);
          await sleep(1_000);
          if (firstUp === 'server') {
            await server.restart();
            await sleep(2_000);
            await stack.startWorker();
          } else {
            // The worker waits for the server instead of exiting.
            const next = await stack.startWorker({}, { waitUntilReady: false });
            await next.waitForLog('not reachable yet');
            await sleep(2_000);
            await server.restart();
            await next.ready;
          }
          const result = await handle.result();

          const events = await historyEvents(handle);
          expect(sim.createCount()).toBe(1);
          expect(sim.requests.filter((r) => r.kind === 'create')).toHaveLength(1);
          expect(activityAttempts(events).filter((a) => a.type === 'createVideoTask')).toEqual([
            { type: 'createVideoTask', attempt: 1, outcome: 'completed' },
          ]);
          expect(eventsOf(events, 'timerStartedEventAttributes')).toEqual([timer]);
          expect(eventsOf(events, 'timerFiredEventAttributes')).toHaveLength(1);
          expect((await handle.describe()).runId).toBe(handle.firstExecutionRunId);
          expect(result).toMatchObject({
            status: 'completed',
            checks: 1,
            video: { bytes: sim.video.length, sha256: sim.videoSha256 },
          });
          expect(await sha256OfFile(fileURLToPath(result.video.uri))).toBe(sim.videoSha256);
          expect(await outputContents(stack.outputDir)).toEqual({ files: [`${result.taskId}.mp4`], partials: [] });
        },
        90_000,
      );
    }
  });

  describe('downloads', () => {
    // 2 s: back before the heartbeat timeout (10 s), the attempt goes on. 15 s: past it, the server
    // times the attempt out on its return; the retry finds the file stored or resumes it.
    for (const outageMs of [2_000, 15_000]) {
      it.sequential(
        `4: killed (-9) mid-download and restarted ${outageMs / 1000} s later: the attempt finishes or a retry resumes it, with the right bytes`,
        async ({ expect, onTestFinished }) => {
          const stack = await startCrashStackUnderTest();
          onTestFinished(() => stack.close());
          const { sim, client, server } = stack;
          const size = sim.video.length;
          const bytesPerSecond = 15_000; // about 12 s for the file
          await stack.startWorker();
          const task = await seedCompletedTask(sim);
          sim.inject({ target: 'video', kind: 'throttle', bytesPerSecond, persistent: true });
          const handle = await startAwait(client, TASK_QUEUE, { taskId: task.id });

          await until(
            () => videoRequests(sim, task.id).find((r) => r.bytesServed >= 0.4 * size),
            CRASH_WAIT_MS,
            '40% served',
          );
          await server.kill('SIGKILL');
          await sleep(outageMs);
          await server.restart();
          const result = await handle.result();

          const requests = videoRequests(sim, task.id);
          const attempts = activityAttempts(await historyEvents(handle)).filter((a) => a.type === 'downloadVideo');
          console.log(
            `scenario 4 (${outageMs / 1000} s outage): ${requests.length} video request(s) ${JSON.stringify(requests.map((r) => [r.status, r.range ?? null, r.bytesServed]))}; ` +
              `completed at attempt ${attempts[0]?.attempt}; re-served ${bytesReServed(sim, task.id)} bytes`,
          );
          expect(attempts).toHaveLength(1);
          expect(attempts[0]!.outcome).toBe('completed');
          // The first request was never started over from zero: later ones resume (206) or confirm (416).
          for (const later of requests.slice(1)) {
            expect(rangeStart(later)).toBeGreaterThan(0);
            expect([206, 416]).toContain(later.status);
          }
          expect(result.video).toMatchObject({ bytes: size, sha256: sim.videoSha256 });
          expect(await sha256OfFile(fileURLToPath(result.video.uri))).toBe(sim.videoSha256);
          expect(await outputContents(stack.outputDir)).toEqual({ files: [`${task.id}.mp4`], partials: [] });
        },
        90_000,
      );
    }
  });
});
