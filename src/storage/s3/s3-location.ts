/**
 * `s3://bucket/prefix` locations: parsed strictly, so a typo in `SEEDANCE_OUTPUT` fails at start-up
 * instead of writing somewhere unexpected. The prefix is made of S3's "safe characters" only, and
 * object keys are `prefix + fileName`, where the file name passed `checkFileName` (one safe segment).
 * Pure: no Node imports, no I/O.
 */
import { checkFileName } from '../file-name';
import { UnsafeFileNameError } from '../types';
import { InvalidS3LocationError } from './s3-errors';

export interface S3Location {
  bucket: string;
  /** Empty, or `/`-separated segments ending with `/` (e.g. `videos/2026/`). */
  prefix: string;
}

export const MAX_S3_KEY_BYTES = 1024;

/** Segments of a prefix: letters, digits and `! - _ . * ' ( )` (S3's safe key characters). */
const SAFE_SEGMENT = /^[A-Za-z0-9!\-_.*'()]+$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4_LIKE = /^\d{1,3}(\.\d{1,3}){3}$/;
const RESERVED_BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

export function isS3Uri(value: string): boolean {
  return /^s3:\/\//i.test(value);
}

/** Parses `s3://bucket`, `s3://bucket/` or `s3://bucket/some/prefix[/]`. Throws `InvalidS3LocationError`. */
export function parseS3Location(uri: string): S3Location {
  const refuse = (reason: string) =>
    new InvalidS3LocationError(`invalid S3 location ${JSON.stringify(uri)}: ${reason}`);
  if (typeof uri !== 'string' || !uri.startsWith('s3://')) throw refuse('it must start with "s3://"');
  const rest = uri.slice('s3://'.length);
  if (/[?#]/.test(rest)) throw refuse('query strings and fragments are not allowed');
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const bucketProblem = checkBucketName(bucket);
  if (bucketProblem) throw refuse(bucketProblem);

  const rawPrefix = slash === -1 ? '' : rest.slice(slash + 1);
  const trimmed = rawPrefix.endsWith('/') ? rawPrefix.slice(0, -1) : rawPrefix;
  if (trimmed === '') return { bucket, prefix: '' };
  for (const segment of trimmed.split('/')) {
    if (segment === '') throw refuse('the prefix has an empty segment ("//" or a leading "/")');
    if (segment === '.' || segment === '..') throw refuse('the prefix cannot contain "." or ".." segments');
    if (!SAFE_SEGMENT.test(segment)) {
      throw refuse(`the prefix segment ${JSON.stringify(segment)} may only use letters, digits and ! - _ . * ' ( )`);
    }
  }
  const prefix = `${trimmed}/`;
  // Leave room for a file name of the maximum length.
  if (prefix.length > MAX_S3_KEY_BYTES - 200) throw refuse(`the prefix is longer than ${MAX_S3_KEY_BYTES - 200} bytes`);
  return { bucket, prefix };
}

/** Why `name` is not a valid S3 bucket name (general-purpose bucket rules), or undefined. */
export function checkBucketName(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'the bucket name must be 3 to 63 characters long';
  if (!BUCKET_NAME.test(name)) {
    return 'the bucket name may only use lowercase letters, digits, "." and "-", and must start and end with a letter or digit';
  }
  if (name.includes('..')) return 'the bucket name cannot contain ".."';
  if (name.includes('.-') || name.includes('-.')) return 'the bucket name cannot have "." next to "-"';
  if (IPV4_LIKE.test(name)) return 'the bucket name cannot look like an IP address';
  if (RESERVED_BUCKET_PREFIXES.some((p) => name.startsWith(p))) return 'the bucket name uses a reserved prefix';
  if (RESERVED_BUCKET_SUFFIXES.some((s) => name.endsWith(s))) return 'the bucket name uses a reserved suffix';
  return undefined;
}

/** The object key of `fileName` under `location`. Throws `UnsafeFileNameError` for a bad file name. */
export function s3KeyFor(location: S3Location, fileName: string): string {
  const check = checkFileName(fileName);
  if (!check.ok) throw new UnsafeFileNameError(`refusing file name ${JSON.stringify(fileName)}: ${check.reason}`);
  const key = `${location.prefix}${check.fileName}`;
  if (new TextEncoder().encode(key).length > MAX_S3_KEY_BYTES) {
    throw new InvalidS3LocationError(
      `the object key for ${JSON.stringify(fileName)} is longer than ${MAX_S3_KEY_BYTES} bytes`,
    );
  }
  return key;
}

/** `s3://bucket/key`, the result uri of a stored video. */
export function formatS3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** `location` back as an `s3://` string, for logs. */
export function describeS3Location(location: S3Location): string {
  return formatS3Uri(location.bucket, location.prefix);
}
