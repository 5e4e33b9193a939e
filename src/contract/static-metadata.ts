/**
 * The static summary and details a run shows in the Temporal Web UI's workflow list and page
 * (SDK 1.24 `staticSummary` / `staticDetails`, on a client start or a child workflow): the task,
 * the model, the prompt's first words, the file name. The typed starters (`src/client/start.ts`),
 * the child helpers (`src/workflows/child.ts`) and the batch give every run these, so the list reads
 * at a glance. Pure and workflow-safe.
 *
 * Only what the workflow input already holds goes in (it is in history anyway): the prompt and the
 * request's options, never image URLs (they may be signed) or anything of the worker's.
 */
import { BATCH_DEFAULT_MAX_CONCURRENT } from './batch-limits';
import type { AwaitSeedanceVideoInput, GenerateSeedanceVideoInput, GenerateSeedanceVideosInput } from './types';

export interface SeedanceStaticMetadata {
  /** One line, e.g. `Seedance 720p: a red fox running through snow…`. */
  staticSummary: string;
  /** Markdown: the task, model, prompt, file name. */
  staticDetails: string;
}

/** Words of the prompt in the summary, and characters at most. */
const SUMMARY_WORDS = 8;
const SUMMARY_CHARS = 60;
/** Characters of the prompt in the details. */
const DETAILS_PROMPT_CHARS = 300;

/** The static summary and details of a run that follows (`taskId`) or generates (`request`) one video. */
export function seedanceStaticMetadata(
  input: AwaitSeedanceVideoInput | GenerateSeedanceVideoInput,
): SeedanceStaticMetadata {
  return 'request' in input ? generateMetadata(input) : awaitMetadata(input);
}

function awaitMetadata(input: AwaitSeedanceVideoInput): SeedanceStaticMetadata {
  const model = input.model ? ` (${modelLabel(input.model)})` : '';
  return {
    staticSummary: `Seedance task ${escapeMarkdown(input.taskId)}${model}`,
    staticDetails: [
      '**Follows a Seedance video task** (awaitSeedanceVideo)',
      '',
      `- Task: ${markdownCode(input.taskId)}`,
      `- Model: ${input.model ? markdownCode(input.model) : 'learned from the first status check'}`,
      ...(input.serviceTier === 'flex' ? ['- Service tier: flex'] : []),
      `- File: ${markdownCode(input.fileName ?? `${input.taskId}.mp4`)}`,
    ].join('\n'),
  };
}

function generateMetadata(input: GenerateSeedanceVideoInput): SeedanceStaticMetadata {
  const { request } = input;
  const prompt = promptOf(input);
  const resolution = request.resolution && !request.model.includes(request.resolution) ? ` ${request.resolution}` : '';
  const label = `${modelLabel(request.model)}${resolution}`;
  const images = request.content.filter((item) => item.type === 'image_url').length;
  const shape = [request.ratio, request.duration !== undefined ? `${request.duration} s` : undefined]
    .filter((part) => part !== undefined)
    .join(', ');
  return {
    staticSummary: `Seedance ${label}: ${escapeMarkdown(firstWords(prompt) || 'no text prompt')}`,
    staticDetails: [
      '**Generates a Seedance video** (generateSeedanceVideo)',
      '',
      '- Task: created by this run (its id: the `SeedanceTaskId` search attribute and the current details)',
      `- Model: ${markdownCode(request.model)}${resolution ? `, ${request.resolution}` : ''}${request.service_tier === 'flex' ? ', flex tier' : ''}`,
      `- Prompt: ${prompt ? escapeMarkdown(truncate(prompt, DETAILS_PROMPT_CHARS)) : '(none)'}`,
      ...(images > 0 ? [`- Images: ${images}`] : []),
      ...(shape ? [`- Shape: ${shape}`] : []),
      `- File: ${input.fileName ? markdownCode(input.fileName) : '`<taskId>.mp4`'}`,
    ].join('\n'),
  };
}

/** Prompts listed in a batch's details. */
const BATCH_DETAILS_PROMPTS = 5;

/**
 * The static summary and details of a `generateSeedanceVideos` run: how many videos, how many at
 * once, the models and the first prompts. Its items' own runs are `<batch id>/item-<n>`, each with
 * {@link seedanceStaticMetadata} and a line naming the batch.
 */
export function seedanceBatchStaticMetadata(input: GenerateSeedanceVideosInput): SeedanceStaticMetadata {
  const items = Array.isArray(input?.items) ? input.items : [];
  const atOnce = input?.maxConcurrent ?? BATCH_DEFAULT_MAX_CONCURRENT;
  const models = new Map<string, number>();
  for (const item of items) {
    const model = String(item?.request?.model);
    models.set(model, (models.get(model) ?? 0) + 1);
  }
  const prompts = items.slice(0, BATCH_DETAILS_PROMPTS).map((item, index) => {
    const prompt = item?.request?.content ? promptOf(item) : '';
    return `${index + 1}. ${escapeMarkdown(firstWords(prompt)) || '(no text prompt)'}`;
  });
  const videos = `${items.length} video${items.length === 1 ? '' : 's'}`;
  return {
    staticSummary: `Seedance batch: ${videos}, at most ${atOnce} at once`,
    staticDetails: [
      '**Generates a batch of Seedance videos** (generateSeedanceVideos)',
      '',
      `- Videos: ${items.length}, at most ${atOnce} at once, each a child run \`<batch id>/item-<n>\``,
      `- Models: ${[...models].map(([model, count]) => `${markdownCode(model)} (${count})`).join(', ') || '(none)'}`,
      '- Progress: the current details, and the `batchStatus` query',
      '',
      `First prompts${items.length > BATCH_DETAILS_PROMPTS ? ` (${BATCH_DETAILS_PROMPTS} of ${items.length})` : ''}:`,
      '',
      ...prompts,
    ].join('\n'),
  };
}

/** `seedance_1_5_pro_720p` -> `720p`; any other model name as it is. */
function modelLabel(model: string): string {
  return /^seedance_\d+_\d+_pro_(\d+p)$/.exec(model)?.[1] ?? model;
}

/** The request's text prompts, whitespace collapsed to single spaces. */
function promptOf(input: GenerateSeedanceVideoInput): string {
  return input.request.content
    .flatMap((item) => (item.type === 'text' ? [item.text] : []))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The first {@link SUMMARY_WORDS} words, at most {@link SUMMARY_CHARS} characters, `…` if cut. */
export function firstWords(text: string): string {
  const words = text.split(' ').filter(Boolean);
  const taken = words.slice(0, SUMMARY_WORDS).join(' ');
  const cut = truncate(taken, SUMMARY_CHARS);
  return words.length > SUMMARY_WORDS && cut === taken ? `${taken.replace(/[,;:.]+$/, '')}…` : cut;
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${[...text]
    .slice(0, max - 1)
    .join('')
    .trimEnd()}…`;
}

/** A code span (ids and file names keep their underscores); backticks inside are dropped. */
export function markdownCode(text: string): string {
  return `\`${text.replace(/`/g, '')}\``;
}

/** Backslash-escapes the characters that would make the prompt markup (emphasis, links, HTML). */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~]/g, '\\$&');
}
