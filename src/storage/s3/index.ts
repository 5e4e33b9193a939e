/** The S3-compatible storage sink's building blocks: locations, the client, the resumable multipart writer, the sweeper. */
export {
  parseS3Location,
  checkBucketName,
  s3KeyFor,
  formatS3Uri,
  describeS3Location,
  isS3Uri,
  MAX_S3_KEY_BYTES,
} from './s3-location';
export type { S3Location } from './s3-location';
export { createS3Client, s3ClientSettingsFromEnv, FORCE_PATH_STYLE_ENV } from './s3-client';
export { MultipartUpload, DEFAULT_PART_SIZE, MIN_PART_SIZE, MAX_PART_SIZE, MAX_PARTS } from './multipart-upload';
export type { StartUploadOptions, CompletedUpload, ExpectedContent } from './multipart-upload';
export { parseCheckpoint, CHECKPOINT_VERSION } from './checkpoint';
export type { MultipartCheckpoint, UploadedPart } from './checkpoint';
export { abortMultipartUpload, findStoredObject, compositeSha256, SHA256_METADATA_KEY } from './s3-operations';
export type { StoredObject, UploadTarget } from './s3-operations';
export { sweepAbandonedUploads } from './sweep-uploads';
export type { SweepResult, SweptUpload } from './sweep-uploads';
export * from './s3-errors';
