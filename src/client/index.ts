export {
  startSeedanceVideo,
  startGenerateSeedanceVideo,
  startGenerateSeedanceVideos,
  getSeedanceVideoHandle,
  type SeedanceStartOptions,
} from './start';
