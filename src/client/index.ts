export {
  startSeedanceVideo,
  startGenerateSeedanceVideo,
  getSeedanceVideoHandle,
  type SeedanceStartOptions,
} from './start';
