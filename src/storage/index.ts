export { LocalDirectoryStorage, STAGING_DIR_NAME, sha256File } from './local';
export { checkFileName, defaultFileName, MAX_FILE_NAME_BYTES } from './file-name';
export { checkMp4File, checkMp4Buffer, checkMp4Structure } from './mp4';
export type { VideoStorage, StoredVideo } from './types';
export { InvalidVideoError, UnsafeFileNameError } from './types';
export type {
  DiscardPartialsOptions,
  DownloadCheckpoint,
  DownloadKey,
  ExpectedVideo,
  OpenSinkOptions,
  SinkCheckpoint,
  VideoSink,
} from './sink';
export { createStorage } from './create';
