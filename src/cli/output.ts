/**
 * What the command prints. Human words go to stdout (the progress line to stderr, see
 * `live-line.ts`); with `--json`, stdout carries exactly one JSON object and nothing else.
 */
import { fileURLToPath } from 'node:url';
import type { SeedanceVideoResult, StoredVideo } from '../contract/types';
import { formatBytes } from './progress-line';

export interface Output {
  json: boolean;
  /** A line for people (not printed with `--json`). */
  say(text: string): void;
  /** The one JSON object of a `--json` run. */
  emit(value: unknown): void;
  /** A message for people on stderr (not with `--json`). */
  warn(text: string): void;
}

export function createOutput(json: boolean, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Output {
  return {
    json,
    say: (text) => {
      if (!json) stdout.write(`${text}\n`);
    },
    emit: (value) => {
      if (json) stdout.write(`${JSON.stringify(value)}\n`);
    },
    warn: (text) => {
      if (!json) stderr.write(`${text}\n`);
    },
  };
}

/** A stored video's local path (`file://` URIs), or its URI as is (`s3://...`). */
export function storedLocation(video: StoredVideo): string {
  return video.uri.startsWith('file://') ? fileURLToPath(video.uri) : video.uri;
}

/** The lines a finished video ends with: its path last but one, its sha256 last. */
export function describeStoredVideo(result: SeedanceVideoResult): string[] {
  const duration = result.actualDuration === null ? '' : `, ${result.actualDuration} s`;
  const lines = [
    `Task ${result.taskId} completed (${result.model}${duration}, ${result.checks} ${result.checks === 1 ? 'check' : 'checks'}), ${formatBytes(result.video.bytes)} stored:`,
    storedLocation(result.video),
    `sha256 ${result.video.sha256}`,
  ];
  if (result.lastFrame) lines.push(`last frame ${storedLocation(result.lastFrame)}`);
  return lines;
}

/** `--json`'s object for a finished video. */
export function videoJson(workflowId: string, result: SeedanceVideoResult): Record<string, unknown> {
  return { ok: true, workflowId, ...result, path: storedLocation(result.video) };
}
