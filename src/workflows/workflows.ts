/**
 * The two workflows of the package. Both validate their input before any activity, install the
 * `status` query and the `cancel` / `checkNow` signals, and follow the task to a stored video.
 */
import { makeContinueAsNewFunc } from '@temporalio/workflow';
import { createTaskOnce } from './create-task';
import { AWAIT_WORKFLOW_TYPE, GENERATE_WORKFLOW_TYPE } from './definitions';
import { followTask } from './follow-task';
import { parseAwaitInput, parseGenerateInput } from './input';
import type { AwaitSeedanceVideoInput, CarriedState, GenerateSeedanceVideoInput, SeedanceVideoResult } from './types';

/** Internal: what a run hands to the next after continue-as-new. Not for callers. */
interface Resumable {
  resume?: CarriedState;
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
  const carried = (input as Resumable).resume;
  return followTask({
    ...parsed,
    ...(carried ? { carried } : {}),
    continueWith: (state) =>
      makeContinueAsNewFunc<typeof awaitSeedanceVideo>({ workflowType: AWAIT_WORKFLOW_TYPE })({ ...input, resume: state } as AwaitSeedanceVideoInput),
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
  const carried = (input as Resumable).resume;
  return followTask({
    model: parsed.request.model,
    fileName: parsed.fileName,
    serviceTier: parsed.request.service_tier ?? 'default',
    deadlineMs: parsed.deadlineMs,
    ...(carried ? { carried, taskId: carried.taskId } : { create: () => createTaskOnce(parsed.request) }),
    continueWith: (state) =>
      makeContinueAsNewFunc<typeof generateSeedanceVideo>({ workflowType: GENERATE_WORKFLOW_TYPE })({
        ...input,
        resume: state,
      } as GenerateSeedanceVideoInput),
  });
}
