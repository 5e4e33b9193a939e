/**
 * What the file host's answer means for a download that holds a partial file of `offset` bytes,
 * decided here once so the activity never reads status codes:
 * - 206 from `offset` (or 200 with nothing on disk yet): append the body;
 * - 200 after a range request: the host ignored the range, or the file changed (If-Range), so the
 *   body is the whole file: restart, never append it to the prefix;
 * - 416 at the full length: the partial is already complete;
 * - 416 elsewhere: the range is refused; start over (`SeedanceVideoChangedError`).
 * `openVideo` already refuses, as `SeedanceVideoChangedError`, a 206 that starts at another byte or
 * carries another ETag than the partial's, and a 412.
 */
import type { Readable } from 'node:stream';
import { SeedanceVideoChangedError } from './errors';
import { openVideo, type OpenVideoOptions } from './video-download';

/** Where a download stands: bytes already on disk, and the strong ETag they belong to. */
export interface ResumePoint {
  offset: number;
  etag: string | null;
}

/** The body to write, with what the host says about the file. */
export interface VideoBody {
  /** Strong ETag of the file, for the next `ResumePoint`. */
  etag: string | null;
  totalBytes: number | null;
  /** Consume it to the end or destroy it: that releases the connection. */
  body: Readable;
}

export type ResumeDecision =
  /** The partial already holds the whole file: nothing to read. */
  | { kind: 'complete'; totalBytes: number }
  /** The body continues the partial at its offset. */
  | ({ kind: 'append' } & VideoBody)
  /** The body is the whole file from byte 0: empty the partial first. */
  | ({ kind: 'restart' } & VideoBody);

/** `openVideo`'s options without the range, which comes from the `ResumePoint`. */
export type ResumeOptions = Omit<OpenVideoOptions, 'start' | 'ifRange'>;

/**
 * Asks for the rest of the file after `from.offset` (with `If-Range: from.etag`) and says what to
 * do with the answer.
 */
export async function resumeVideo(url: string, from: ResumePoint, options: ResumeOptions): Promise<ResumeDecision> {
  const { offset, etag } = from;
  const response = await openVideo(url, {
    ...options,
    ...(offset > 0 ? { start: offset } : {}),
    ...(offset > 0 && etag ? { ifRange: etag } : {}),
  });
  const { body } = response;
  const video: VideoBody = { etag: response.etag ?? null, totalBytes: response.totalBytes ?? null, body };
  switch (response.status) {
    case 416:
      response.body.destroy();
      if (response.totalBytes !== undefined && response.totalBytes === offset) {
        return { kind: 'complete', totalBytes: response.totalBytes };
      }
      throw new SeedanceVideoChangedError('the server refused the resume range; starting over');
    case 200:
      return offset > 0 ? { kind: 'restart', ...video } : { kind: 'append', ...video };
    case 206:
      return { kind: 'append', ...video };
  }
}

/**
 * Whether the host still serves exactly `bytes` bytes, for reusing a stored file without a
 * download. Asked with a range at the end: a 416 tells the size without a body, and a 200 (a host
 * that ignores Range) tells it by its Content-Length, the body dropped unread. A 206 means there
 * is more.
 */
export async function servesExactly(url: string, bytes: number, options: ResumeOptions): Promise<boolean> {
  const response = await openVideo(url, { ...options, ...(bytes > 0 ? { start: bytes } : {}) });
  response.body.destroy();
  return (response.status === 416 || response.status === 200) && response.totalBytes === bytes;
}
