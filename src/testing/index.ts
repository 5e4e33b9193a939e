/**
 * Testing with seedance-temporal (`seedance-temporal/testing`): the Seedance test stack
 * (simulator plus a worker on a `TestWorkflowEnvironment` or any server), histories for replay
 * tests, and the Temporal binaries and dev server the package's own tests run on.
 */
export {
  startSeedanceTestStack,
  startModelArkTestStack,
  type ModelArkTestStackOptions,
  seedanceWorkflowBundle,
  TEST_API_KEY,
  type SeedanceTestStack,
  type SeedanceTestStackOptions,
  type TemporalTestEnvironment,
} from './harness';
export { runsOf, continuedAsNewTo, historyToJson, historyFromJson, type History, type Run } from './history';
export { freePort } from './ports';
export * from './binaries';
export * from './dev-server';
