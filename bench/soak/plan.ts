/**
 * What the soak runs: a mix of videos whose every path (stored, failed at the provider, cancelled
 * by our signal) runs under the chaos, each with the end it must reach.
 */
import type { Random } from './random';

export type VideoKind =
  /** generateSeedanceVideo: create, follow, store. */
  | 'generate'
  /** awaitSeedanceVideo for a task added to the simulator: follow, store. */
  | 'await'
  /** generateSeedanceVideo whose task the simulator fails. */
  | 'generate-failing'
  /** awaitSeedanceVideo of a task that fails. */
  | 'await-failing'
  /** generateSeedanceVideo the soak cancels by signal while it runs. */
  | 'generate-cancelled';

export interface PlannedVideo {
  index: number;
  kind: VideoKind;
  workflowId: string;
  /** The object's name under the output prefix: one per video, so a duplicate cannot hide. */
  fileName: string;
  /** The prompt of a generate request: the key the simulator's creates are counted by. */
  requestKey: string;
  /** For the simulator's task: how long it stays queued, then processing. */
  timing: { queuedMs: number; renderMs: number };
  /** For `await` kinds: a task created long ago, whose first check finds it done. */
  alreadyDone: boolean;
  /** For `generate-cancelled`: when the cancel signal goes, after the start. */
  cancelAfterMs: number;
}

/** The end each kind must reach: `completed`, or the failure type it must fail with. */
export const EXPECTED_END: Record<VideoKind, string> = {
  generate: 'completed',
  await: 'completed',
  'generate-failing': 'SeedanceTaskFailed',
  'await-failing': 'SeedanceTaskFailed',
  'generate-cancelled': 'SeedanceWorkflowCancelled',
};

export function isGenerate(kind: VideoKind): boolean {
  return kind.startsWith('generate');
}

/** About 70% generate, 15% await, 5% of each failing or cancelled kind (at least 2 each). */
export function planVideos(count: number, runId: string, random: Random): PlannedVideo[] {
  const few = Math.max(2, Math.round(count * 0.05));
  const kinds: VideoKind[] = [
    ...Array<VideoKind>(few).fill('generate-failing'),
    ...Array<VideoKind>(few).fill('await-failing'),
    ...Array<VideoKind>(few).fill('generate-cancelled'),
    ...Array<VideoKind>(Math.round(count * 0.15)).fill('await'),
  ];
  while (kinds.length < count) kinds.push('generate');
  return random
    .shuffle(kinds)
    .slice(0, count)
    .map((kind, index) => ({
      index,
      kind,
      workflowId: `soak-${runId}-${String(index).padStart(4, '0')}-${kind}`,
      fileName: `soak-${runId}-${String(index).padStart(4, '0')}.mp4`,
      requestKey: `soak ${runId} video ${index}: a paper boat on a pond`,
      timing: { queuedMs: random.int(0, 2_000), renderMs: random.int(1_000, 6_000) },
      alreadyDone: random.next() < 0.3,
      cancelAfterMs: random.int(2_000, 25_000),
    }));
}
