/**
 * Fetches the last-frame PNG a provider hands out beside the video (ModelArk `return_last_frame`:
 * `content.last_frame_url`, signed, valid 24 h). It is small, so it is read whole into memory,
 * under a cap, through the video's own guarded path (`openVideo`): every hop's URL is checked,
 * every connection's address is checked after DNS, and the connect, headers and idle timeouts
 * apply. No Temporal imports: the download activity stores the bytes and maps the errors.
 */
import { SeedanceInvalidLastFrameError, SeedanceTimeoutError, SeedanceVideoUnavailableError } from './errors';
import { openVideo, type OpenVideoOptions } from './video-download';

/** The 8 bytes every PNG starts with. */
export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A last frame is the video's size as a PNG: a few MB at 1080p. Anything above this is refused. */
export const MAX_LAST_FRAME_BYTES = 32 * 1024 * 1024;

/** The whole body must arrive within this, however the host trickles it. */
export const DEFAULT_LAST_FRAME_TIMEOUT_MS = 120_000;

/** Whether `bytes` starts with the PNG signature. */
export function hasPngSignature(bytes: Uint8Array): boolean {
  return bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((byte, i) => bytes[i] === byte);
}

export interface FetchLastFrameOptions extends Omit<OpenVideoOptions, 'start' | 'ifRange' | 'subject'> {
  /** @default MAX_LAST_FRAME_BYTES */
  maxBytes?: number;
  /** Time for the whole body, after the headers. @default DEFAULT_LAST_FRAME_TIMEOUT_MS */
  timeoutMs?: number;
}

/**
 * The PNG at `url`, whole. Throws the video's typed errors (`SeedanceVideoUrlExpiredError` for a
 * 403/410: read a fresh `last_frame_url` from the task; `SeedanceUnsafeUrlError`; network and
 * timeout errors), and `SeedanceInvalidLastFrameError` for an answer that is not a PNG or is
 * larger than `maxBytes`.
 *
 * @example
 * const png = await fetchLastFrame(task.lastFrameUrl, { allowPrivate: false, signal });
 */
export async function fetchLastFrame(url: string, options: FetchLastFrameOptions): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? MAX_LAST_FRAME_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_LAST_FRAME_TIMEOUT_MS;
  const response = await openVideo(url, { ...options, subject: 'last frame' });
  const { body } = response;
  if (response.status !== 200) {
    body.destroy();
    throw new SeedanceVideoUnavailableError(
      `The last frame host answered HTTP ${response.status} to a request without a range`,
      { status: response.status },
    );
  }
  if (response.contentLength !== undefined && response.contentLength > maxBytes) {
    body.destroy();
    throw tooLarge(maxBytes);
  }
  const timer = setTimeout(() => {
    body.destroy(new SeedanceTimeoutError(`The last frame did not arrive within ${timeoutMs} ms`));
  }, timeoutMs);
  const chunks: Buffer[] = [];
  let bytes = 0;
  let signatureChecked = false;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw tooLarge(maxBytes);
      chunks.push(chunk);
      // An error page is refused at its first bytes, not after all of it arrived.
      if (!signatureChecked && bytes >= PNG_SIGNATURE.length) {
        requirePng(Buffer.concat(chunks));
        signatureChecked = true;
      }
    }
  } finally {
    clearTimeout(timer);
    body.destroy();
  }
  const png = Buffer.concat(chunks, bytes);
  requirePng(png);
  return png;
}

function requirePng(bytes: Buffer): void {
  if (!hasPngSignature(bytes)) {
    const what = 'The last frame host answered with something that is not a PNG (no PNG signature)';
    throw new SeedanceInvalidLastFrameError(what);
  }
}

function tooLarge(maxBytes: number): SeedanceInvalidLastFrameError {
  return new SeedanceInvalidLastFrameError(`The last frame is larger than the ${maxBytes}-byte cap`);
}
