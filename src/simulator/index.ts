/**
 * The Seedance API simulator: a local HTTP look-alike of a task API and its file host, as the
 * reseller's API (default) or BytePlus ModelArk's (`provider: 'modelark'`).
 */
export { createSimulator } from './simulator';
export type {
  AddTaskInput,
  AnySimulator,
  CommonSimulatorOptions,
  Simulator,
  SimulatorHandle,
  SimulatorOptions,
} from './types';
export type { AuthorizationState, RequestKind, RequestLogEntry } from './exchange';
export type {
  CreateFault,
  Fault,
  FaultKind,
  FaultTarget,
  GatewayFault,
  ModelArkRateLimitCode,
  VideoFault,
} from './faults';
export {
  FAST_PROFILE,
  FLEX_FACTOR,
  REALTIME_PROFILE,
  resolveTiming,
  type SimulatorProfile,
  type TaskTiming,
  type TimingTable,
} from './profiles';
export { statusAt, type SimTask, type TaskOutcome } from './tasks';
export {
  SAMPLE_VIDEO_PATH,
  describeVideo,
  loadSampleVideo,
  topLevelBoxes,
  withoutBox,
  withTrailingFreeBox,
  type Box,
  type VideoFile,
} from './sample-video';
export { parseRange, decideRange, type RangeDecision } from './range';
export type {
  ModelArkAddTaskInput,
  ModelArkOutcome,
  ModelArkOutcomeError,
  ModelArkSimulator,
  ModelArkSimulatorOptions,
} from './modelark/types';
export type { CallbackAttempt } from './modelark/callbacks';
export type { ModelArkCreateRequest } from './modelark/create-request';
export { SENSITIVE_WORD, UNKNOWN_MODEL } from './modelark/create-request';
export {
  completionTokens,
  MODELARK_STATUSES,
  SEEDANCE_1_5_PRO,
  statusChanges,
  type ModelArkStatus,
  type ModelArkTask,
  type StatusChange,
} from './modelark/tasks';
export { DEFAULT_PAGE_NUM, DEFAULT_PAGE_SIZE } from './modelark/routes';
