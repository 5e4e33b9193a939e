/**
 * Validation of the `generateSeedanceVideos` input, inside the workflow: a bad item fails the
 * whole batch at once with `SeedanceInvalidInput`, before any child starts (nothing is paid for,
 * nothing is lost: fix the file and start again).
 */
import { BATCH_DEFAULT_MAX_CONCURRENT, BATCH_MAX_ITEMS, maxConcurrentProblem } from '../contract/batch-limits';
import { FailureType } from '../contract/failures';
import type { BatchItem, GenerateSeedanceVideosInput } from '../contract/types';
import { videoRequestSchema, type VideoRequest } from '../seedance/video-request';
import { checkFileName } from '../storage/file-name';
import { nonRetryable } from './failure';
import { parseDeadline } from './input';

export interface ParsedBatchItem {
  request: VideoRequest;
  fileName: string | undefined;
}

export interface ParsedBatchInput {
  items: ParsedBatchItem[];
  maxConcurrent: number;
  deadlineMs: number;
  /** The deadline as given, passed on to each child. */
  deadline: string | number | undefined;
}

function invalid(message: string): never {
  throw nonRetryable(FailureType.InvalidInput, message);
}

function parseMaxConcurrent(value: unknown): number {
  if (value === undefined || value === null) return BATCH_DEFAULT_MAX_CONCURRENT;
  const problem = maxConcurrentProblem(value);
  if (problem) invalid(problem);
  return value as number;
}

function parseItem(value: unknown, at: string): ParsedBatchItem {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(`${at} must be an object like {"request": {...}, "fileName": "fox.mp4"}`);
  }
  const { request, fileName } = value as Partial<Record<keyof BatchItem, unknown>>;
  const parsed = videoRequestSchema.safeParse(request);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`);
    invalid(`${at}.request is not a valid Seedance create request: ${problems.join('; ')}`);
  }
  return { request: parsed.data, fileName: parseItemFileName(fileName, at) };
}

function parseItemFileName(value: unknown, at: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') invalid(`${at}.fileName must be a string`);
  const check = checkFileName(value);
  if (!check.ok) invalid(`${at}.fileName is not allowed: ${check.reason}`);
  return check.fileName;
}

/**
 * `label` turns a position in `items` into the index messages name: a continued run's `items`
 * holds only the items still pending, each under its index in the original batch.
 */
export function parseBatchInput(input: GenerateSeedanceVideosInput, label = (i: number) => i): ParsedBatchInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) invalid('the input must be a JSON object');
  const raw = input as unknown as Record<string, unknown>;
  if (!Array.isArray(raw.items) || raw.items.length === 0) {
    invalid('items must be a non-empty array of {"request": {...}, "fileName"?: "..."}');
  }
  if (raw.items.length > BATCH_MAX_ITEMS) {
    invalid(`items holds ${raw.items.length} videos; a batch takes at most ${BATCH_MAX_ITEMS}: split the file`);
  }
  const items = raw.items.map((item, i) => parseItem(item, `items[${label(i)}]`));
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    if (item.fileName === undefined) return;
    const earlier = seen.get(item.fileName);
    if (earlier !== undefined) {
      invalid(`items[${label(earlier)}] and items[${label(i)}] both write ${item.fileName}: file names must differ`);
    }
    seen.set(item.fileName, i);
  });
  const deadline = raw.deadline === null ? undefined : (raw.deadline as string | number | undefined);
  return { items, maxConcurrent: parseMaxConcurrent(raw.maxConcurrent), deadlineMs: parseDeadline(deadline), deadline };
}
