/**
 * Workflow bundle entry point: everything here runs in Temporal's deterministic sandbox. Parent
 * workflows import the child helpers (or the workflow functions, for `executeChild` by reference)
 * from here; the names, types and signals are also in `seedance-temporal/contract`.
 */
export { awaitSeedanceVideo, generateSeedanceVideo } from './workflows';
export { generateSeedanceVideos } from './batch';
export {
  executeSeedanceVideo,
  startSeedanceVideoChild,
  executeGenerateSeedanceVideo,
  startGenerateSeedanceVideoChild,
  type SeedanceChildOptions,
} from './child';
export * from '../contract';
