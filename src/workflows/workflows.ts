/**
 * The two workflows of the package. Both validate their input before any activity, install the
 * `status` query and the `cancel` / `checkNow` signals, and follow the task to a stored video.
 */
import { makeContinueAsNewFunc } from '@temporalio/workflow';
import { createTaskOnce } from './create-task';
import { AWAIT_WORKFLOW_TYPE, GENERATE_WORKFLOW_TYPE } from '../contract/names';
import { followTask } from './follow-task';
import { parseAwaitInput, parseGenerateInput } from './input';
import type { AwaitSeedanceVideoInput, GenerateSeedanceVideoInput, SeedanceVideoResult } from '../contract/types';
import type { CarriedState } from './carried-state';

/** Internal input fields, not for callers (and not in the README). */
interface InternalInput {
  /** What a run hands to the next after continue-as-new. */
  resume?: CarriedState;
  /**
   * Tests only: continue as new past this many history events instead of 2,000, so a test sees
   * several runs in seconds. Carried to the next run with the rest of the input.
   */
  historyEventsBeforeContinue?: number;
  /** Tests only: a wait's `pollStatus` returns after this many reads instead of 20 (the history grows). */
  readsPerPoll?: number;
}

function internalOptions(input: unknown): {
  carried?: CarriedState;
  historyEventsBeforeContinue?: number;
  readsPerPoll?: number;
} {
  const { resume, historyEventsBeforeContinue: limit, readsPerPoll } = (input ?? {}) as InternalInput;
  return {
    ...(resume ? { carried: resume } : {}),
    ...(Number.isInteger(limit) && limit! > 0 ? { historyEventsBeforeContinue: limit } : {}),
    ...(Number.isInteger(readsPerPoll) && readsPerPoll! > 0 ? { readsPerPoll } : {}),
  };
}

/**
 * Follows an existing Seedance task: checks its status at once, then on durable timers sized by
 * the model, and downloads the video when it is completed.
 *
 * @example
 * temporal workflow start --type awaitSeedanceVideo --task-queue seedance-video \
 *   --workflow-id seedance-video_abc123 --input '{"taskId":"video_abc123"}'
 */
export async function awaitSeedanceVideo(input: AwaitSeedanceVideoInput): Promise<SeedanceVideoResult> {
  const parsed = parseAwaitInput(input);
  return followTask({
    ...parsed,
    ...internalOptions(input),
    continueWith: (state) =>
      makeContinueAsNewFunc<typeof awaitSeedanceVideo>({ workflowType: AWAIT_WORKFLOW_TYPE })({
        ...input,
        resume: state,
      } as AwaitSeedanceVideoInput),
  });
}

/**
 * Creates a Seedance task (never twice), then follows it exactly as `awaitSeedanceVideo` does.
 *
 * @example
 * temporal workflow start --type generateSeedanceVideo --task-queue seedance-video \
 *   --input '{"request":{"model":"seedance_1_5_pro_480p","content":[{"type":"text","text":"a red fox in snow"}]}}'
 */
export async function generateSeedanceVideo(input: GenerateSeedanceVideoInput): Promise<SeedanceVideoResult> {
  const parsed = parseGenerateInput(input);
  const internal = internalOptions(input);
  return followTask({
    model: parsed.request.model,
    fileName: parsed.fileName,
    serviceTier: parsed.request.service_tier ?? 'default',
    deadlineMs: parsed.deadlineMs,
    deadlineExplicit: parsed.deadlineExplicit,
    ...internal,
    // After continue-as-new the task exists: follow it, never create again.
    ...(internal.carried
      ? { taskId: internal.carried.taskId }
      : { create: (apiTaskQueue) => createTaskOnce(parsed.request, apiTaskQueue) }),
    continueWith: (state) =>
      makeContinueAsNewFunc<typeof generateSeedanceVideo>({ workflowType: GENERATE_WORKFLOW_TYPE })({
        ...input,
        resume: state,
      } as GenerateSeedanceVideoInput),
  });
}
