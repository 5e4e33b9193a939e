/** Starts the planned workflows and sends the planned cancel signals, riding out a server restart. */
import type { Client } from '@temporalio/client';
import { startGenerateSeedanceVideo, startSeedanceVideo } from '../../src/client';
import { cancelSignal } from '../../src/contract';
import type { Simulator } from '../../src/simulator';
import { isGenerate, type PlannedVideo } from './plan';

const MODEL = 'seedance_1_5_pro_480p';
const START_BATCH = 25;
/** A signal sent while the server restarts is tried again for this long. */
const SIGNAL_PATIENCE_MS = 60_000;

export interface Workload {
  /** Resolves when every cancel signal was delivered or found its workflow closed. */
  cancels: Promise<void>;
  cancelsDelivered(): number;
}

export async function startWorkload(client: Client, sim: Simulator, plan: readonly PlannedVideo[]): Promise<Workload> {
  const cancels: Promise<void>[] = [];
  let delivered = 0;
  for (let first = 0; first < plan.length; first += START_BATCH) {
    await Promise.all(
      plan.slice(first, first + START_BATCH).map(async (video) => {
        await startVideo(client, sim, video);
        if (video.kind === 'generate-cancelled') {
          cancels.push(
            cancelLater(client, video).then((sent) => {
              if (sent) delivered++;
            }),
          );
        }
      }),
    );
  }
  return { cancels: Promise.all(cancels).then(() => undefined), cancelsDelivered: () => delivered };
}

async function startVideo(client: Client, sim: Simulator, video: PlannedVideo): Promise<void> {
  const options = { workflowId: video.workflowId };
  if (isGenerate(video.kind)) {
    const request = { model: MODEL, content: [{ type: 'text' as const, text: video.requestKey }], duration: 5 };
    await startGenerateSeedanceVideo(client, { request, fileName: video.fileName }, options);
    return;
  }
  const task = await sim.addTask({
    model: MODEL,
    createdMs: video.alreadyDone ? Date.now() - 10 * 60_000 : Date.now(),
    timing: video.timing,
    outcome: video.kind === 'await-failing' ? 'failed' : 'completed',
  });
  await startSeedanceVideo(client, { taskId: task.id, fileName: video.fileName }, options);
}

/** Sends the cancel signal after the planned delay; false if the workflow had already closed. */
async function cancelLater(client: Client, video: PlannedVideo): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, video.cancelAfterMs));
  const handle = client.workflow.getHandle(video.workflowId);
  const giveUpAt = Date.now() + SIGNAL_PATIENCE_MS;
  for (;;) {
    try {
      await handle.signal(cancelSignal, { reason: 'soak: cancelled on purpose' });
      return true;
    } catch (error) {
      if ((error as Error).name === 'WorkflowNotFoundError') return false;
      if (Date.now() > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}
