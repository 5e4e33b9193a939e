/**
 * Shared pieces of the download fault scenarios (test/reliability/download-*.test.ts): a task that
 * is ready to download, the simulator's file requests for it, the output directory's contents, and
 * the download activity run directly in a MockActivityEnvironment (real heartbeats and
 * cancellation, no server) for the cases that need a checkpoint from an earlier attempt.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Info } from '@temporalio/activity';
import { DefaultLogger } from '@temporalio/worker';
import { makeDownloadVideo } from '../../src/activities/download-video';
import type { DownloadPolicy } from '../../src/activities/dependencies';
import type { Checkpoint } from '../../src/activities/partial-file';
import { VideoUrlCache } from '../../src/activities/video-url-cache';
import { SeedanceClient } from '../../src/seedance/client';
import type { RequestLogEntry, Simulator } from '../../src/simulator';
import { STAGING_DIR_NAME, type VideoStorage } from '../../src/storage';
import type { StoredVideo } from '../../src/contract/types';
import { SIM_KEY } from './harness';

let counter = 0;

/** A task id and workflow id that no other test uses. */
export function ids(prefix: string): { taskId: string; workflowId: string } {
  const taskId = `video_${prefix.replace(/[^A-Za-z0-9_]/g, '_')}_${process.pid}_${++counter}`;
  return { taskId, workflowId: `seedance-${taskId}` };
}

/** A task that is already `completed`, so the workflow's first check hands off to the download. */
export async function readyTask(sim: Simulator, prefix: string): Promise<{ taskId: string; workflowId: string }> {
  const id = ids(prefix);
  await sim.addTask({ id: id.taskId, model: 'seedance_1_5_pro_480p', timing: { queuedMs: 0, renderMs: 0 } });
  return id;
}

export function startAwait(
  client: Client,
  taskQueue: string,
  { taskId, workflowId }: { taskId: string; workflowId: string },
  extra: Record<string, unknown> = {},
): Promise<WorkflowHandle> {
  return client.workflow.start('awaitSeedanceVideo', { taskQueue, workflowId, args: [{ taskId, ...extra }] });
}

/** The GETs of this task's file, in arrival order. */
export function videoRequests(sim: Simulator, taskId: string): RequestLogEntry[] {
  return sim.requests.filter((r) => r.kind === 'video' && r.taskId === taskId);
}

export function statusRequests(sim: Simulator, taskId: string): RequestLogEntry[] {
  return sim.requests.filter((r) => r.kind === 'status' && r.taskId === taskId);
}

export { workflowFailure } from './assertions';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Files in the output root (the staging folder left out) and in the staging folder. */
export async function outputContents(outputDir: string): Promise<{ files: string[]; partials: string[] }> {
  const files = (await fs.readdir(outputDir)).filter((n) => n !== STAGING_DIR_NAME).sort();
  const partials = (await fs.readdir(path.join(outputDir, STAGING_DIR_NAME)).catch(() => [] as string[])).sort();
  return { files, partials };
}

/** Polls until `check` is true (real time), failing after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface ActivityRun {
  env: MockActivityEnvironment;
  heartbeats: Checkpoint[];
  result: Promise<StoredVideo>;
}

export interface ActivityRunner {
  /** Runs one attempt of `downloadVideo`; `heartbeatDetails` is what the previous attempt heartbeated last. */
  attempt(input: { taskId: string; fileName: string }, info?: Partial<Info>): ActivityRun;
}

/**
 * `downloadVideo` against the simulator, outside any worker: each `attempt()` is one activity
 * attempt in its own MockActivityEnvironment. The URL cache starts empty, so every attempt reads
 * the `video_url` from the simulator's status endpoint, as a retry on another worker would.
 */
export function activityRunner(sim: Simulator, storage: VideoStorage, policy: Partial<DownloadPolicy>): ActivityRunner {
  const client = new SeedanceClient({ apiKey: SIM_KEY, baseUrl: sim.url, timeoutMs: 5_000 });
  const downloadVideo = makeDownloadVideo(client, storage, new VideoUrlCache(), { allowPrivateUrls: true, ...policy });
  return {
    attempt(input, info = {}) {
      const env = new MockActivityEnvironment(
        { activityType: 'downloadVideo', heartbeatTimeoutMs: 30_000, ...info },
        { logger: new DefaultLogger('ERROR') },
      );
      const heartbeats: Checkpoint[] = [];
      env.on('heartbeat', (details: Checkpoint) => heartbeats.push(details));
      const result = env.run(downloadVideo, input) as Promise<StoredVideo>;
      result.catch(() => undefined);
      return { env, heartbeats, result };
    },
  };
}

/** The rejection of `promise`, which must reject. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection, got a result');
    },
    (e: unknown) => e,
  );
}
