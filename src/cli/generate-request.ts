/**
 * `generate`'s arguments to the workflow input: pure, so every refusal is unit-tested. Commander
 * hands over strings; this converts and validates them with the request schema the workflow uses,
 * so a bad request is refused here (exit 2) before anything is started or paid for.
 */
import { MODELARK_MODEL_ID, VOLCENGINE_MODEL_ID } from '../seedance/modelark/models';
import { SEEDANCE_MODELS } from '../seedance/models';
import { parseDuration } from '../seedance/schedule';
import { videoRequestSchema, type VideoRequest } from '../seedance/video-request';
import { checkFileName } from '../storage/file-name';
import type { GenerateSeedanceVideoInput } from '../contract/types';
import { UsageError } from './exit-codes';

export const DEFAULT_MODEL = 'seedance_1_5_pro_720p';

/** The model names the command accepts; ModelArk endpoint ids (`ep-...`) are accepted too. */
export const KNOWN_MODELS: readonly string[] = [...SEEDANCE_MODELS, MODELARK_MODEL_ID, VOLCENGINE_MODEL_ID];

/** `generate`'s options as commander parses them (strings, booleans, repeated values as arrays). */
export interface GenerateOptions {
  model?: string;
  ratio?: string;
  duration?: string;
  resolution?: string;
  seed?: string;
  audio?: boolean;
  watermark?: boolean;
  cameraFixed?: boolean;
  serviceTier?: string;
  draft?: boolean;
  draftTask?: string;
  expiresAfter?: string;
  returnLastFrame?: boolean;
  firstFrame?: string;
  lastFrame?: string;
  referenceImage?: string[];
  fileName?: string;
  deadline?: string;
}

/** The `generateSeedanceVideo` input for `prompt` and `options`. @throws UsageError with every problem. */
export function toGenerateInput(prompt: string, options: GenerateOptions): GenerateSeedanceVideoInput {
  const problems: string[] = [];
  const text = prompt.trim();
  if (text === '') problems.push('the prompt is empty');
  const model = options.model ?? DEFAULT_MODEL;
  if (!isAcceptedModel(model)) {
    problems.push(
      `unknown model "${model}": use one of ${KNOWN_MODELS.join(', ')}, or a ModelArk endpoint id (ep-...)`,
    );
  }
  const integer = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value.trim())) {
      problems.push(`${name} must be a whole number, not "${value}"`);
      return undefined;
    }
    return Number(value);
  };
  const raw: Record<string, unknown> = {
    model,
    content: [
      { type: 'text', text },
      ...image(options.firstFrame, 'first_frame'),
      ...image(options.lastFrame, 'last_frame'),
      ...(options.referenceImage ?? []).flatMap((url) => image(url, 'reference_image')),
      ...(options.draftTask ? [{ type: 'draft_task', draft_task: { id: options.draftTask } }] : []),
    ],
    ratio: options.ratio,
    duration: integer('--duration', options.duration),
    resolution: options.resolution,
    seed: integer('--seed', options.seed),
    generate_audio: options.audio,
    watermark: options.watermark,
    camera_fixed: options.cameraFixed,
    service_tier: options.serviceTier,
    draft: options.draft,
    execution_expires_after: integer('--expires-after', options.expiresAfter),
    return_last_frame: options.returnLastFrame,
  };
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  let request: VideoRequest | undefined;
  if (problems.length === 0) {
    const parsed = videoRequestSchema.safeParse(defined);
    if (parsed.success) request = parsed.data;
    else problems.push(...parsed.error.issues.map((issue) => describeIssue(issue.path, issue.message)));
  }
  problems.push(...outputFlagProblems(options));
  if (problems.length > 0 || !request) throw new UsageError(problems.join('; '));
  return {
    request,
    ...(options.fileName !== undefined ? { fileName: options.fileName } : {}),
    ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
  };
}

/** What is wrong with `--file-name` and `--deadline` (`generate` and `await` take both). */
export function outputFlagProblems(flags: { fileName?: string | undefined; deadline?: string | undefined }): string[] {
  const problems: string[] = [];
  if (flags.fileName !== undefined) {
    const check = checkFileName(flags.fileName);
    if (!check.ok) problems.push(`--file-name: ${check.reason}`);
  }
  if (flags.deadline !== undefined && parseDuration(flags.deadline) === undefined) {
    problems.push(`--deadline must be a duration like "2h", "90m" or "1h30m", not "${flags.deadline}"`);
  }
  return problems;
}

function isAcceptedModel(model: string): boolean {
  return KNOWN_MODELS.includes(model) || /^ep-[a-z0-9-]+$/.test(model);
}

function image(url: string | undefined, role: 'first_frame' | 'last_frame' | 'reference_image') {
  return url === undefined ? [] : [{ type: 'image_url', image_url: { url }, role }];
}

/** The request field's flag name, so a message points at what the user typed. */
const FLAG_OF: Readonly<Record<string, string>> = {
  ratio: '--ratio',
  duration: '--duration',
  resolution: '--resolution',
  seed: '--seed',
  service_tier: '--service-tier',
  execution_expires_after: '--expires-after',
  content: 'the prompt or an image',
  model: '--model',
};

function describeIssue(path: PropertyKey[], message: string): string {
  const field = String(path[0] ?? '');
  const flag = FLAG_OF[field] ?? (field === '' ? 'the request' : field);
  return `${flag}: ${message}`;
}
