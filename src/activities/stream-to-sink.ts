/**
 * Copies the video body into the attempt's sink under the download's limits: the size cap, the
 * low-speed limit and the idle timeout. A failure comes out as a `DownloadError` the retry policy
 * understands, the cancellation's reason, or a storage error (ENOSPC, EIO...) that to-failure maps.
 *
 * The body flows into a `Writable` (`pipeline`): one `sink.write` at a time, each after the previous
 * one and its `afterChunk` ended, the body paused by backpressure meanwhile (writes that overlap
 * break the S3 sink). Reading it with `for await` cost the worker 0.1-0.15 s more CPU per 512 MiB,
 * most of it on the main thread, which the download shares with sha256 and the socket. It returns,
 * in any case, only once no `sink.write` or `afterChunk` is under way: the caller may then reset or
 * discard the sink.
 */
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SeedanceTimeoutError, isSeedanceError } from '../seedance/errors';
import type { VideoSink } from '../storage/sink';
import type { DownloadPolicy } from './dependencies';
import { DownloadError } from './download-error';
import { LowSpeedMonitor } from './low-speed';

export type StreamLimits = Pick<
  DownloadPolicy,
  'maxBytes' | 'idleTimeoutMs' | 'lowSpeedBytesPerSecond' | 'lowSpeedWindowMs'
>;

export interface StreamOptions {
  limits: StreamLimits;
  /** The activity's cancellation signal. */
  signal: AbortSignal;
  /** Runs after each chunk is written (checkpoints); its failure ends the stream. */
  afterChunk: () => Promise<void>;
}

/** Appends `body` to `sink` until it ends; the body is destroyed in any case. */
export async function streamToSink(
  body: Readable,
  sink: Pick<VideoSink, 'offset' | 'write'>,
  options: StreamOptions,
): Promise<void> {
  const { limits, signal } = options;
  const monitor = new LowSpeedMonitor(limits.lowSpeedBytesPerSecond, limits.lowSpeedWindowMs, Date.now());
  const checkEveryMs = Math.min(1000, limits.lowSpeedWindowMs);
  const timer = setInterval(() => {
    if (monitor.tooSlow(Date.now())) {
      const what = `the download fell below ${limits.lowSpeedBytesPerSecond} bytes/s`;
      body.destroy(new DownloadError('DownloadStalled', what));
    }
  }, checkEveryMs);
  /** The chunk being written and checkpointed, until it settles. */
  let writing: Promise<void> | undefined;
  const writeChunk = async (chunk: Uint8Array): Promise<void> => {
    if (sink.offset + chunk.length > limits.maxBytes) {
      throw new DownloadError('VideoTooLarge', `the video grew past the ${limits.maxBytes}-byte cap`);
    }
    await sink.write(chunk);
    monitor.record(chunk.length, Date.now());
    await options.afterChunk();
  };
  const into = new Writable({
    write(chunk: Uint8Array, _encoding, callback) {
      writing = writeChunk(chunk);
      writing.then(() => callback(), callback);
    },
  });
  try {
    await pipeline(body, into);
  } catch (error) {
    if (error instanceof DownloadError) throw error;
    if (signal.aborted) throw signal.reason;
    if (error instanceof SeedanceTimeoutError) {
      const what = `the video host sent nothing for ${limits.idleTimeoutMs} ms at byte ${sink.offset}`;
      throw new DownloadError('DownloadStalled', what);
    }
    if (isSeedanceError(error)) {
      throw new DownloadError('NetworkError', `the video download broke off at byte ${sink.offset}`);
    }
    throw error; // a storage error (ENOSPC, EIO...): to-failure maps its code
  } finally {
    clearInterval(timer);
    body.destroy();
    // The body may fail while a chunk is being written: the sink is the caller's only once that ends.
    await writing?.catch(() => undefined);
  }
}
