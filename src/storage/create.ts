/** The storage `SEEDANCE_OUTPUT` names. */
import { LocalDirectoryStorage } from './local';
import type { VideoStorage } from './types';

/** Storage from `SEEDANCE_OUTPUT`: a local directory (S3 URLs come with the S3 sink). */
export async function createStorage(output: string): Promise<VideoStorage> {
  if (/^s3:\/\//i.test(output)) {
    throw new Error('SEEDANCE_OUTPUT=s3://... is not supported yet: use a local directory');
  }
  return LocalDirectoryStorage.create(output);
}
