/** The Seedance API simulator: a local HTTP look-alike of the task API and its file host. */
export { createSimulator } from './simulator';
export type { AddTaskInput, Simulator, SimulatorOptions } from './types';
export type { AuthorizationState, RequestKind, RequestLogEntry } from './exchange';
export type { CreateFault, Fault, FaultKind, FaultTarget, GatewayFault, VideoFault } from './faults';
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
