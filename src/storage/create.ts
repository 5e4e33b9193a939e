/** The storage `SEEDANCE_OUTPUT` names. */
import { LocalDirectoryStorage } from './local';
import { createS3Client } from './s3/s3-client';
import { isS3Uri } from './s3/s3-location';
import { S3Storage } from './s3/s3-storage';
import type { VideoStorage } from './types';

/** Storage from `SEEDANCE_OUTPUT`: `s3://bucket/prefix` (client from the AWS environment) or a local directory. */
export async function createStorage(output: string): Promise<VideoStorage> {
  if (isS3Uri(output)) return S3Storage.open(createS3Client(), output);
  return LocalDirectoryStorage.create(output);
}
