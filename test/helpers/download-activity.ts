/**
 * The download activity run directly, attempt by attempt, in a MockActivityEnvironment (real
 * heartbeats and cancellation, no server): for the download scenarios that need a checkpoint from
 * an earlier attempt in hand.
 */
import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { DownloadPolicy } from '../../src/activities/dependencies';
import { ResellerProvider } from '../../src/seedance/reseller-provider';
import { makeDownloadVideo } from '../../src/activities/download-video';
import type { Checkpoint } from '../../src/storage/partial-file';
import { VideoUrlCache } from '../../src/activities/video-url-cache';
import type { StoredVideoWithFrame } from '../../src/activities/types';
import { SeedanceClient } from '../../src/seedance/client';
import type { Simulator } from '../../src/simulator';
import type { VideoStorage } from '../../src/storage';
import { SIM_KEY } from './harness';
import { readyTask } from './workflows';

/** `downloadVideo`'s input. */
export interface DownloadInput {
  taskId: string;
  fileName: string;
  /** Read the status first (a download sent on a completed callback). */
  confirm?: boolean;
}

/** A completed task of the simulator ({@link readyTask}) as `downloadVideo`'s input, stored as `<taskId>.mp4`. */
export async function downloadInput(sim: Simulator, prefix: string): Promise<DownloadInput> {
  const { taskId } = await readyTask(sim, prefix);
  return { taskId, fileName: `${taskId}.mp4` };
}

export interface ActivityRun {
  env: MockActivityEnvironment;
  heartbeats: Checkpoint[];
  result: Promise<StoredVideoWithFrame>;
}

export interface ActivityRunner {
  /** Runs one attempt of `downloadVideo`; `heartbeatDetails` is what the previous attempt heartbeated last. */
  attempt(input: DownloadInput, info?: Partial<Info>): ActivityRun;
}

/**
 * `downloadVideo` against the simulator, outside any worker: each `attempt()` is one activity
 * attempt in its own MockActivityEnvironment. The URL cache starts empty, so every attempt reads
 * the `video_url` from the simulator's status endpoint, as a retry on another worker would.
 */
export function activityRunner(sim: Simulator, storage: VideoStorage, policy: Partial<DownloadPolicy>): ActivityRunner {
  const client = new SeedanceClient({ apiKey: SIM_KEY, baseUrl: sim.url, timeoutMs: 5_000 });
  const downloadVideo = makeDownloadVideo(new ResellerProvider(client), storage, new VideoUrlCache(), {
    allowPrivateUrls: true,
    ...policy,
  });
  return {
    attempt(input, info = {}) {
      const env = new MockActivityEnvironment(
        { activityType: 'downloadVideo', heartbeatTimeoutMs: 30_000, ...info },
        { logger: new DefaultLogger('ERROR') },
      );
      const heartbeats: Checkpoint[] = [];
      // The checkpoints heartbeated; a liveness heartbeat before the first one carries none.
      env.on('heartbeat', (details: Checkpoint | undefined) => details !== undefined && heartbeats.push(details));
      const result = env.run(downloadVideo, input) as Promise<StoredVideoWithFrame>;
      result.catch(() => undefined);
      return { env, heartbeats, result };
    },
  };
}
