/**
 * `downloadVideo` sent on a `completed` callback (`confirm`): its own status read is the check the
 * run skipped. A task not completed after all is refused, typed, with what the read saw, and
 * nothing is stored; a completed one is downloaded with that one read and its snapshot returned.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/simulator';
import { LocalDirectoryStorage } from '../../src/storage';
import { activityRunner, type ActivityRunner } from '../helpers/download-activity';
import { SIM_KEY } from '../helpers/harness';
import { ids } from '../helpers/workflows';

let sim: Simulator;
let dir: string;
let runner: ActivityRunner;

beforeAll(async () => {
  sim = await createSimulator({ apiKey: SIM_KEY });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'download-confirm-'));
  runner = activityRunner(sim, await LocalDirectoryStorage.create(dir), {});
});

afterAll(async () => {
  await sim?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const statusReads = (taskId: string) => sim.requests.filter((r) => r.kind === 'status' && r.taskId === taskId);

describe('downloadVideo with confirm', () => {
  it('refuses a task that is still processing with SeedanceTaskNotCompleted and the snapshot, storing nothing', async () => {
    const { taskId } = ids('confirm-early');
    await sim.addTask({ id: taskId, model: 'seedance_1_5_pro_480p', timing: { queuedMs: 0, renderMs: 3_600_000 } });
    const failure = await runner.attempt({ taskId, fileName: `${taskId}.mp4`, confirm: true }).result.catch((e) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'SeedanceTaskNotCompleted', nonRetryable: true });
    expect((failure as ApplicationFailure).details?.[0]).toMatchObject({ taskId, status: 'processing' });
    expect(statusReads(taskId)).toHaveLength(1);
    expect(sim.requests.filter((r) => r.kind === 'video' && r.taskId === taskId)).toEqual([]);
    expect(await fs.readdir(dir)).not.toContain(`${taskId}.mp4`);
  });

  it('downloads a completed task after one status read and returns what that read saw', async () => {
    const { taskId } = ids('confirm-done');
    await sim.addTask({
      id: taskId,
      model: 'seedance_1_5_pro_480p',
      timing: { queuedMs: 0, renderMs: 0 },
      actualDuration: 7,
    });
    const video = await runner.attempt({ taskId, fileName: `${taskId}.mp4`, confirm: true }).result;
    expect(video.sha256).toBe(sim.videoSha256);
    expect(video.task).toMatchObject({ taskId, status: 'completed', actualDuration: 7 });
    expect(JSON.stringify(video.task)).not.toMatch(/sig=|\/files\//);
    expect(statusReads(taskId)).toHaveLength(1);
  });
});
