export { LocalDirectoryStorage, STAGING_DIR_NAME, sha256File } from './local';
export { checkFileName, defaultFileName, lastFrameFileName, LAST_FRAME_SUFFIX, MAX_FILE_NAME_BYTES } from './file-name';
export { checkMp4File, checkMp4Buffer, checkMp4Structure } from './mp4';
export type { VideoStorage, StoredVideo, CompanionFile, StoredCompanion } from './types';
export {
  InvalidVideoError,
  StorageBackendError,
  StoredFileConflictError,
  UnsafeFileNameError,
  STALE_PARTIAL_MS,
} from './types';
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
export { S3Storage, TASK_ID_METADATA_KEY, MODEL_METADATA_KEY, type S3StorageOptions } from './s3/s3-storage';
export { createS3Client, FORCE_PATH_STYLE_ENV } from './s3/s3-client';
export { sweepAbandonedUploads, type SweepResult, type SweptUpload } from './s3/sweep-uploads';
export { SHA256_METADATA_KEY } from './s3/s3-operations';
export * from './s3/s3-errors';
