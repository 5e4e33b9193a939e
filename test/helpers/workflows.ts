/**
 * Starting the package's workflows from tests, typed by the contract: unique task and workflow
 * ids, `startAwait` / `startGenerate`, and a task that is ready to download.
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId, WorkflowStartOptions } from '@temporalio/client';
import { AWAIT_WORKFLOW_TYPE, GENERATE_WORKFLOW_TYPE, workflowIdForTask } from '../../src/contract/names';
import type { AwaitSeedanceVideoInput, GenerateSeedanceVideoInput } from '../../src/contract/types';
import type {
  AddTaskInput,
  AnySimulator,
  ModelArkAddTaskInput,
  ModelArkSimulator,
  Simulator,
} from '../../src/simulator';
import type { TestOnlyInput } from '../../src/testing/test-only-input';
// Types only: importing the workflow module at run time would load workflow code outside its sandbox.
import type { awaitSeedanceVideo, generateSeedanceVideo } from '../../src/workflows/workflows';

export type { TestOnlyInput };

/** `awaitSeedanceVideo`'s input, plus the fields only tests set. */
export type AwaitTestInput = AwaitSeedanceVideoInput & TestOnlyInput;
/** `generateSeedanceVideo`'s input, plus the fields only tests set. */
export type GenerateTestInput = GenerateSeedanceVideoInput & TestOnlyInput;

/** Start options a test may set: the task queue and the arguments come from the helper's parameters. */
export type StartOptions = Partial<Omit<WorkflowStartOptions, 'args' | 'taskQueue'>>;

export type AwaitHandle = WorkflowHandleWithFirstExecutionRunId<typeof awaitSeedanceVideo>;
export type GenerateHandle = WorkflowHandleWithFirstExecutionRunId<typeof generateSeedanceVideo>;

export interface TaskIds {
  taskId: string;
  /** `workflowIdForTask(taskId)`: the id `startAwait` gives the workflow following the task. */
  workflowId: string;
}

let counter = 0;

/** `<prefix>-<pid>-<n>`: an id no other test, in this process or another, uses. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}`;
}

/** A task id no other test uses (a valid Seedance task id), and the workflow id that follows it. */
export function ids(prefix: string): TaskIds {
  const taskId = `video_${prefix.replace(/[^A-Za-z0-9_]/g, '_')}_${process.pid}_${++counter}`;
  return { taskId, workflowId: workflowIdForTask(taskId) };
}

/**
 * Starts `awaitSeedanceVideo` on `taskQueue`, as workflow `workflowIdForTask(input.taskId)` unless
 * `options.workflowId` says otherwise.
 */
export function startAwait(
  client: Client,
  taskQueue: string,
  input: AwaitTestInput,
  options: StartOptions = {},
): Promise<AwaitHandle> {
  return client.workflow.start<typeof awaitSeedanceVideo>(AWAIT_WORKFLOW_TYPE, {
    workflowId: workflowIdForTask(input.taskId),
    ...options,
    taskQueue,
    args: [input],
  });
}

/**
 * Starts `generateSeedanceVideo` on `taskQueue`, as workflow `generate-<pid>-<n>` unless
 * `options.workflowId` says otherwise.
 */
export function startGenerate(
  client: Client,
  taskQueue: string,
  input: GenerateTestInput,
  options: StartOptions = {},
): Promise<GenerateHandle> {
  return client.workflow.start<typeof generateSeedanceVideo>(GENERATE_WORKFLOW_TYPE, {
    workflowId: uniqueId('generate'),
    ...options,
    taskQueue,
    args: [input],
  });
}

/**
 * A 480p task of the simulator that has already ended (`completed` unless `task.outcome` says
 * otherwise), so the workflow's first check hands off to the download; its id is `ids(prefix).taskId`.
 * Either simulator mode (ModelArk: a task of resolution 480p).
 */
export function readyTask(sim: Simulator, prefix: string, task?: Omit<AddTaskInput, 'id'>): Promise<{ taskId: string }>;
export function readyTask(
  sim: ModelArkSimulator,
  prefix: string,
  task?: Omit<ModelArkAddTaskInput, 'id'>,
): Promise<{ taskId: string }>;
export function readyTask(sim: AnySimulator, prefix: string): Promise<{ taskId: string }>;
export async function readyTask(
  sim: AnySimulator,
  prefix: string,
  task: Omit<AddTaskInput, 'id'> | Omit<ModelArkAddTaskInput, 'id'> = {},
): Promise<{ taskId: string }> {
  const { taskId } = ids(prefix);
  const ended = { id: taskId, timing: { queuedMs: 0, renderMs: 0 } };
  if (sim.provider === 'modelark') {
    await sim.addTask({ ...ended, resolution: '480p', ...(task as Omit<ModelArkAddTaskInput, 'id'>) });
  } else {
    await sim.addTask({ ...ended, model: 'seedance_1_5_pro_480p', ...(task as Omit<AddTaskInput, 'id'>) });
  }
  return { taskId };
}
