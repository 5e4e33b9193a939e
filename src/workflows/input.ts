/**
 * Validation of workflow input. Runs inside the workflow, so a bad input fails the workflow at once
 * with `SeedanceInvalidInput` before any activity (and before any paid request).
 */
import { TASK_ID_PATTERN } from '../seedance/schemas';
import { modelNameSchema, videoRequestSchema, type VideoRequest } from '../seedance/video-request';
import type { ServiceTier } from '../seedance/models';
import { checkFileName, defaultFileName } from '../storage/file-name';
import { FailureType } from '../contract/failures';
import { nonRetryable } from './failure';
import { DEFAULT_DEADLINE_MS, parseDuration } from '../seedance/schedule';
import type { AwaitSeedanceVideoInput, GenerateSeedanceVideoInput } from '../contract/types';

export interface ParsedAwaitInput {
  taskId: string;
  model: string | undefined;
  fileName: string;
  serviceTier: ServiceTier;
  deadlineMs: number;
  /** Whether the input gave a deadline (otherwise a provider's own expiry may set it). */
  deadlineExplicit: boolean;
}

export interface ParsedGenerateInput {
  request: VideoRequest;
  fileName: string | undefined;
  deadlineMs: number;
  deadlineExplicit: boolean;
}

function invalid(message: string): never {
  throw nonRetryable(FailureType.InvalidInput, message);
}

function requireObject(input: unknown, what: string): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) invalid(`${what} must be a JSON object`);
  return input as Record<string, unknown>;
}

export function parseFileName(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') invalid('fileName must be a string');
  const check = checkFileName(value);
  if (!check.ok) invalid(`fileName is not allowed: ${check.reason}`);
  return check.fileName;
}

export function parseDeadline(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_DEADLINE_MS;
  if (typeof value !== 'string' && typeof value !== 'number') invalid('deadline must be a duration like "2h" or "90m"');
  const ms = parseDuration(value);
  if (ms === undefined) invalid('deadline must be a duration like "2h", "90m" or "1h30m"');
  return ms;
}

export function parseAwaitInput(input: AwaitSeedanceVideoInput): ParsedAwaitInput {
  const raw = requireObject(input, 'the input');
  const { taskId, model, serviceTier } = raw;
  if (typeof taskId !== 'string' || !TASK_ID_PATTERN.test(taskId)) {
    invalid('taskId must be a Seedance task id: 1-128 letters, digits, "_" or "-"');
  }
  if (model !== undefined && !modelNameSchema.safeParse(model).success) {
    invalid('model must be a model name such as "seedance_1_5_pro_720p"');
  }
  if (serviceTier !== undefined && serviceTier !== 'default' && serviceTier !== 'flex') {
    invalid('serviceTier must be "default" or "flex"');
  }
  return {
    taskId,
    model: model as string | undefined,
    fileName: parseFileName(raw.fileName) ?? defaultFileName(taskId),
    serviceTier: (serviceTier as ServiceTier | undefined) ?? 'default',
    deadlineMs: parseDeadline(raw.deadline),
    deadlineExplicit: raw.deadline !== undefined && raw.deadline !== null,
  };
}

export function parseGenerateInput(input: GenerateSeedanceVideoInput): ParsedGenerateInput {
  const raw = requireObject(input, 'the input');
  const request = videoRequestSchema.safeParse(raw.request);
  if (!request.success) {
    const problems = request.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`);
    invalid(`request is not a valid Seedance create request: ${problems.join('; ')}`);
  }
  return {
    request: request.data,
    fileName: parseFileName(raw.fileName),
    deadlineMs: parseDeadline(raw.deadline),
    deadlineExplicit: raw.deadline !== undefined && raw.deadline !== null,
  };
}
