/**
 * A user's own workflow module, as the README tells users to write one: their parent workflows
 * beside the Seedance workflows, in one bundle, calling the child helpers by function reference.
 */
import { ApplicationFailure, ChildWorkflowFailure } from '@temporalio/workflow';
import { executeSeedanceVideo } from '../../../src/workflows';

export * from '../../../src/workflows';

export interface Clip {
  uri: string;
  sha256: string;
  checks: number;
}

/** Follows a task as a child and returns the typed result's fields. */
export async function clipOfTask(taskId: string, taskQueue: string): Promise<Clip> {
  const { video, checks } = await executeSeedanceVideo({ taskId }, { taskQueue });
  return { uri: video.uri, sha256: video.sha256, checks };
}

/** The typed failure a parent sees when the child fails: the ApplicationFailure's type. */
export async function failureTypeOfTask(taskId: string, taskQueue: string): Promise<string> {
  try {
    await executeSeedanceVideo({ taskId }, { taskQueue });
    return 'no failure';
  } catch (error) {
    if (error instanceof ChildWorkflowFailure && error.cause instanceof ApplicationFailure)
      return error.cause.type ?? 'untyped';
    throw error;
  }
}
