/**
 * The checkpoint of a multipart upload: small, JSON-serializable, carried in the activity's
 * heartbeat so a retry on any machine resumes the same upload. It is taken at part boundaries
 * only: `offset` bytes are durably uploaded in `parts`, and `hashState` is the SHA-256 state after
 * exactly those bytes, so a resume re-feeds the bytes from `offset` on (at most one part).
 */
import { z } from 'zod';
import { S3CheckpointInvalidError } from './s3-errors';

export const CHECKPOINT_VERSION = 1;

export interface UploadedPart {
  partNumber: number;
  etag: string;
  /** Base64 SHA-256 of the part, sent with UploadPart and again with CompleteMultipartUpload. */
  checksumSha256: string;
}

export interface MultipartCheckpoint {
  version: typeof CHECKPOINT_VERSION;
  bucket: string;
  key: string;
  uploadId: string;
  /** Every part but the last has exactly this size, so `offset === parts.length * partSize`. */
  partSize: number;
  parts: UploadedPart[];
  /** Bytes durably uploaded in `parts`. */
  offset: number;
  /** Base64 of hash-wasm's SHA-256 `save()` after `offset` bytes. */
  hashState: string;
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

const checkpointSchema = z.object({
  version: z.literal(CHECKPOINT_VERSION),
  bucket: z.string().min(3).max(63),
  key: z.string().min(1).max(1024),
  uploadId: z.string().min(1).max(1024),
  partSize: z.number().int().positive(),
  parts: z.array(
    z.object({
      partNumber: z.number().int().min(1).max(10_000),
      etag: z.string().min(1).max(200),
      checksumSha256: base64.length(44),
    }),
  ),
  offset: z.number().int().nonnegative(),
  hashState: base64.min(1),
});

/** Checks `value` (e.g. heartbeat details after a JSON round trip). Throws `S3CheckpointInvalidError`. */
export function parseCheckpoint(value: unknown): MultipartCheckpoint {
  const parsed = checkpointSchema.safeParse(value);
  if (!parsed.success) {
    throw new S3CheckpointInvalidError(`malformed multipart checkpoint: ${z.prettifyError(parsed.error)}`);
  }
  const checkpoint = parsed.data as MultipartCheckpoint;
  checkpoint.parts.forEach((part, index) => {
    if (part.partNumber !== index + 1) {
      throw new S3CheckpointInvalidError(`checkpoint part ${index} has number ${part.partNumber}, not ${index + 1}`);
    }
  });
  if (checkpoint.offset !== checkpoint.parts.length * checkpoint.partSize) {
    throw new S3CheckpointInvalidError(
      `checkpoint offset ${checkpoint.offset} is not ${checkpoint.parts.length} parts of ${checkpoint.partSize} bytes`,
    );
  }
  return checkpoint;
}
