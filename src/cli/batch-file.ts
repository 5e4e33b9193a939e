/**
 * `batch <file.json>`'s file to the `generateSeedanceVideos` input: pure, unit-tested. Accepted:
 *
 * - the workflow's own input: `{ "items": [{ "request": {...}, "fileName"?: "..." }], "maxConcurrent"?: 10 }`;
 * - a list of items, `[{ "request": {...} }, ...]`;
 * - a list of prompts, `["a red fox", { "prompt": "a cat", "fileName": "cat.mp4" }, ...]`, made into
 *   requests with `generate`'s options (`--model`, `--ratio`...).
 *
 * Every item is checked with the workflow's request schema here, so a bad file is refused (exit 2)
 * naming the item, before the batch starts.
 */
import { BATCH_MAX_ITEMS, maxConcurrentProblem } from '../contract/batch-limits';
import type { BatchItem, GenerateSeedanceVideosInput } from '../contract/types';
import { parseDuration } from '../seedance/schedule';
import { videoRequestSchema } from '../seedance/video-request';
import { checkFileName } from '../storage/file-name';
import { UsageError } from './exit-codes';
import { toGenerateInput, type GenerateOptions } from './generate-request';

export interface BatchFlags {
  maxConcurrent?: string | undefined;
  deadline?: string | undefined;
}

/** @throws UsageError naming the file's problems (at most the first ten). */
export function parseBatchFile(
  text: string,
  fileName: string,
  requestOptions: GenerateOptions = {},
  flags: BatchFlags = {},
): GenerateSeedanceVideosInput {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${fileName} is not JSON: ${error instanceof Error ? error.message : 'unreadable'}`);
  }
  const top = isObject(data) ? data : { items: data };
  const rawItems = top.items;
  if (!Array.isArray(rawItems)) {
    throw new UsageError(`${fileName} must hold a list of prompts or items, or {"items": [...]}`);
  }
  if (rawItems.length === 0) throw new UsageError(`${fileName} has no items`);
  if (rawItems.length > BATCH_MAX_ITEMS) {
    throw new UsageError(`${fileName} has ${rawItems.length} items; a batch takes at most ${BATCH_MAX_ITEMS}`);
  }
  const problems: string[] = [];
  const items: BatchItem[] = [];
  rawItems.forEach((raw, index) => {
    try {
      items.push(toItem(raw, requestOptions));
    } catch (error) {
      problems.push(`item ${index}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  const maxConcurrent = flags.maxConcurrent !== undefined ? Number(flags.maxConcurrent) : top.maxConcurrent;
  const concurrencyProblem = maxConcurrent === undefined ? undefined : maxConcurrentProblem(maxConcurrent);
  if (concurrencyProblem) problems.push(concurrencyProblem);
  const deadline = flags.deadline ?? top.deadline;
  if (deadline !== undefined) {
    if ((typeof deadline !== 'string' && typeof deadline !== 'number') || parseDuration(deadline) === undefined) {
      problems.push('deadline must be a duration like "2h", "90m" or "1h30m"');
    }
  }
  if (problems.length > 0) {
    const more = problems.length > 10 ? `; and ${problems.length - 10} more` : '';
    throw new UsageError(`${fileName}: ${problems.slice(0, 10).join('; ')}${more}`);
  }
  return {
    items,
    ...(maxConcurrent !== undefined ? { maxConcurrent: maxConcurrent as number } : {}),
    ...(deadline !== undefined ? { deadline: deadline as string | number } : {}),
  };
}

function toItem(raw: unknown, requestOptions: GenerateOptions): BatchItem {
  if (typeof raw === 'string') return { request: toGenerateInput(raw, requestOptions).request };
  if (!isObject(raw)) throw new Error('must be a prompt, {"prompt": ...} or {"request": {...}}');
  const fileName = raw.fileName;
  if (fileName !== undefined) {
    if (typeof fileName !== 'string') throw new Error('fileName must be a string');
    const check = checkFileName(fileName);
    if (!check.ok) throw new Error(`fileName: ${check.reason}`);
  }
  const named = fileName === undefined ? {} : { fileName: fileName as string };
  if (typeof raw.prompt === 'string') return { request: toGenerateInput(raw.prompt, requestOptions).request, ...named };
  const parsed = videoRequestSchema.safeParse(raw.request);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
    throw new Error(`not a valid request: ${why}`);
  }
  return { request: parsed.data, ...named };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
