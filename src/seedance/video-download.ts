/**
 * Opens the generated MP4 at its signed `video_url` for streaming, resumable with Range/If-Range.
 * No Temporal imports: `resumeVideo` (video-resume.ts) turns the answer into a resume decision, and
 * the download activity writes the body, heartbeats, and applies the size cap and the low-speed
 * limit (`LowSpeedMonitor`, src/activities/low-speed.ts).
 *
 * The URL comes from a remote party, so every hop is checked before connecting (`checkVideoUrl`)
 * and every connection is checked again after DNS (guarded-connector.ts): a public-looking name
 * that resolves to a private address is refused. The API key is never sent here.
 */
import { PassThrough, Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import {
  SeedanceRateLimitedError,
  SeedanceServerError,
  SeedanceTimeoutError,
  SeedanceUnsafeUrlError,
  SeedanceVideoChangedError,
  SeedanceVideoUnavailableError,
  SeedanceVideoUrlExpiredError,
  type SeedanceError,
} from './errors';
import { ADDRESS_REFUSED, guardedAgent, type GuardedAgentOptions } from './guarded-connector';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_USER_AGENT } from './http-defaults';
import { errorCode, errorFromTransport, headerValue, parseRetryAfter } from './http-errors';
import { allowedAddressCheck, checkVideoUrl, describeUrl, type VideoUrlPolicy } from './url-safety';

export interface OpenVideoOptions extends VideoUrlPolicy, GuardedAgentOptions {
  /** Resume offset: sends `Range: bytes=<start>-` when above 0. */
  start?: number;
  /** Strong ETag of the partial file; sent as `If-Range` with a Range. Weak ETags are ignored. */
  ifRange?: string;
  signal?: AbortSignal;
  /** Time from request to response headers. Default 30 s. */
  headersTimeoutMs?: number;
  /** Longest silence between body chunks. Default 30 s. */
  idleTimeoutMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** What the file is, in error messages: the video (default) or its last-frame image. */
  subject?: DownloadSubject;
}

export type DownloadSubject = 'video' | 'last frame';

/** The task field a fresh URL of each subject comes from, for the expired-URL message. */
const URL_FIELD: Record<DownloadSubject, string> = { video: 'video_url', 'last frame': 'last_frame_url' };

export interface VideoResponse {
  /** 200: the whole file from byte 0. 206: from `rangeStart`. 416: nothing left after `start`. */
  status: 200 | 206 | 416;
  /** Strong ETag only; pass it back as `ifRange` when resuming. */
  etag?: string;
  /** The file size: Content-Range total (206, 416) or Content-Length (200). */
  totalBytes?: number;
  /** Bytes in this body. */
  contentLength?: number;
  /** First byte of the body in the file (206 only). */
  rangeStart?: number;
  /**
   * Consume it to the end or destroy it: that releases the connection. Errors are typed Seedance
   * errors (a `SeedanceTimeoutError` after `idleTimeoutMs` of silence), or the signal's reason.
   */
  body: Readable;
}

export const DEFAULT_MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * The raw answer; a download that resumes wants `resumeVideo`, which says what to do with it.
 *
 * @example
 * const video = await openVideo(task.video_url, { allowPrivate: false, start: offset, ifRange: etag });
 * if (video.status === 200) await file.truncate(0); // the server ignored the range or the file changed
 */
export async function openVideo(url: string, options: OpenVideoOptions): Promise<VideoResponse> {
  const isAllowed = allowedAddressCheck(options);
  let current = requireSafeUrl(url, options);
  const agent = guardedAgent(isAllowed, options);
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const start = options.start ?? 0;
  try {
    for (let redirects = 0; ; redirects++) {
      const response = await send(current, agent, start, options);
      if (!REDIRECT_STATUSES.has(response.statusCode)) {
        return interpret(response, current, agent, start, options);
      }
      discard(response.body);
      const location = headerValue(response.headers, 'location');
      if (location === undefined) {
        const what = `The ${subjectOf(options)} host (${describeUrl(current)}) redirected without a Location`;
        throw new SeedanceVideoUnavailableError(what);
      }
      if (redirects >= maxRedirects) {
        const what = `The ${subjectOf(options)} host redirected more than ${maxRedirects} times`;
        throw new SeedanceVideoUnavailableError(what);
      }
      current = requireSafeUrl(resolveLocation(location, current), options);
    }
  } catch (error) {
    void agent.destroy().catch(() => undefined);
    throw error;
  }
}

function requireSafeUrl(url: string, options: OpenVideoOptions): URL {
  const subject = subjectOf(options);
  const check = checkVideoUrl(url, options, subject);
  if (!check.ok) throw new SeedanceUnsafeUrlError(`Refused to download the ${subject}: ${check.reason}`);
  return check.url;
}

function subjectOf(options: OpenVideoOptions): DownloadSubject {
  return options.subject ?? 'video';
}

function resolveLocation(location: string, base: URL): string {
  try {
    return new URL(location, base).href;
  } catch {
    return location; // checkVideoUrl refuses it with a message that does not echo it
  }
}

async function send(
  url: URL,
  agent: Agent,
  start: number,
  options: OpenVideoOptions,
): Promise<Dispatcher.ResponseData> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': DEFAULT_USER_AGENT };
  if (start > 0) {
    headers.range = `bytes=${start}-`;
    if (options.ifRange !== undefined && isStrongEtag(options.ifRange)) headers['if-range'] = options.ifRange;
  }
  try {
    return await request(url, {
      method: 'GET',
      headers,
      signal: options.signal,
      dispatcher: agent,
      headersTimeout: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
      bodyTimeout: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    });
  } catch (error) {
    throw failureOf(error, url, options);
  }
}

function interpret(
  response: Dispatcher.ResponseData,
  url: URL,
  agent: Agent,
  start: number,
  options: OpenVideoOptions,
): VideoResponse {
  const { statusCode: status, headers } = response;
  const subject = subjectOf(options);
  const where = `The ${subject} host (${describeUrl(url)})`;
  const refuse = (error: SeedanceError): never => {
    discard(response.body);
    throw error;
  };
  const etag = strongEtagOf(headerValue(headers, 'etag'));
  const contentLength = parseNonNegativeInt(headerValue(headers, 'content-length'));
  const encoding = headerValue(headers, 'content-encoding')?.trim().toLowerCase();

  if ((status === 200 || status === 206) && encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    // Offsets must mean bytes on disk; a compressed body would break resuming.
    const what = `${where} sent a ${encoding.slice(0, 20)}-encoded body despite Accept-Encoding: identity`;
    refuse(new SeedanceVideoUnavailableError(what, { status }));
  }
  const withBody = (fields: Omit<VideoResponse, 'body'>): VideoResponse =>
    omitUndefined({ ...fields, body: guardedBody(response.body, agent, url, options) });

  switch (status) {
    case 200:
      return withBody({ status, etag, totalBytes: contentLength, contentLength });
    case 206: {
      const range = parseContentRange(headerValue(headers, 'content-range'));
      if (range === undefined || range.start !== start) {
        const what = `${where} answered a range that does not start at byte ${start}; restart from zero`;
        refuse(new SeedanceVideoChangedError(what, { status }));
      }
      if (options.ifRange !== undefined && etag !== undefined && etag !== options.ifRange) {
        const what = `${where} sent a range of a different file version; restart from zero`;
        refuse(new SeedanceVideoChangedError(what, { status }));
      }
      return withBody({ status, etag, totalBytes: range?.total, contentLength, rangeStart: range?.start });
    }
    case 416: {
      if (start === 0) {
        const what = `${where} answered HTTP 416 to a request without a range`;
        refuse(new SeedanceVideoUnavailableError(what, { status }));
      }
      discard(response.body);
      void agent.destroy().catch(() => undefined);
      const total = /^bytes \*\/(\d+)$/.exec(headerValue(headers, 'content-range')?.trim() ?? '')?.[1];
      const empty = new PassThrough();
      empty.end();
      return omitUndefined({ status, etag, totalBytes: total === undefined ? undefined : Number(total), body: empty });
    }
    case 403:
    case 410: {
      const what = `${where} refused the signed URL (HTTP ${status}): it expired or was revoked; `;
      return refuse(
        new SeedanceVideoUrlExpiredError(`${what}fetch a fresh ${URL_FIELD[subject]} from the task`, { status }),
      );
    }
    case 412: {
      const what = `${where} says the file changed (HTTP 412); restart from zero`;
      return refuse(new SeedanceVideoChangedError(what, { status }));
    }
    case 408:
    case 429: {
      const retryAfterMs = parseRetryAfter(headers['retry-after'], Date.now());
      const what = `${where} asked us to slow down (HTTP ${status})`;
      return refuse(new SeedanceRateLimitedError(what, retryAfterMs, { status }));
    }
    default:
      if (status >= 400 && status <= 499) {
        return refuse(new SeedanceVideoUnavailableError(`${where} refused the download (HTTP ${status})`, { status }));
      }
      return refuse(new SeedanceServerError(`${where} answered HTTP ${status}`, { status }));
  }
}

/** Re-emits body errors as typed, URL-free errors and frees the agent when the body is done. */
function guardedBody(body: Readable, agent: Agent, url: URL, options: OpenVideoOptions): Readable {
  const out = new PassThrough();
  body.on('error', (error) => out.destroy(failureOf(error, url, options) as Error));
  out.on('close', () => {
    body.destroy();
    void agent.destroy().catch(() => undefined);
  });
  body.pipe(out);
  return out;
}

/** Drops a body we do not read; undici reports destroying an unread body as an error, which is expected here. */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

function failureOf(error: unknown, url: URL, options: OpenVideoOptions): unknown {
  if (options.signal?.aborted) return options.signal.reason;
  const subject = subjectOf(options);
  const where = `the ${subject} host (${describeUrl(url)})`;
  const code = errorCode(error);
  if (code === ADDRESS_REFUSED) {
    return new SeedanceUnsafeUrlError(
      `Refused to download the ${subject}: ${url.hostname} resolves only to private, loopback or link-local addresses`,
    );
  }
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return new SeedanceTimeoutError(`${where} sent nothing for ${options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS} ms`);
  }
  return errorFromTransport(error, where);
}

export function isStrongEtag(etag: string): boolean {
  return /^"[\x21\x23-\x7e\x80-\xff]*"$/.test(etag);
}

function strongEtagOf(value: string | undefined): string | undefined {
  const etag = value?.trim();
  return etag !== undefined && isStrongEtag(etag) ? etag : undefined;
}

function parseNonNegativeInt(value: string | undefined): number | undefined {
  const text = value?.trim();
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/** `bytes <start>-<end>/<total or *>`. */
export function parseContentRange(
  value: string | undefined,
): { start: number; end: number; total?: number } | undefined {
  const match = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15}|\*)$/.exec(value?.trim() ?? '');
  if (match === null) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]);
  const total = match[3] === '*' ? undefined : Number(match[3]);
  if (end < start || (total !== undefined && end >= total)) return undefined;
  return total === undefined ? { start, end } : { start, end, total };
}

function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
