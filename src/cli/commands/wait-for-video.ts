/** The end of `generate --wait` and `await`: progress while it runs, then the stored file or the typed failure. */
import type { WorkflowHandle } from '@temporalio/client';
import type { CommandContext } from '../context';
import { ExitCode, withErrorDetails } from '../exit-codes';
import { followVideo } from '../follow-video';
import { describeStoredVideo, videoJson } from '../output';

export async function waitForVideo(context: CommandContext, handle: WorkflowHandle): Promise<ExitCode> {
  const result = await withErrorDetails(followVideo(handle, context.line), { workflowId: handle.workflowId });
  for (const line of describeStoredVideo(result)) context.out.say(line);
  context.out.emit(videoJson(handle.workflowId, result));
  return ExitCode.Ok;
}
