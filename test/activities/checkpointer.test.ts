/**
 * The Checkpointer: fsync before the heartbeat, a liveness heartbeat that repeats only the last
 * checkpoint, and progress reports at most once per interval.
 */
import type { Context } from '@temporalio/activity';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Checkpointer, type DownloadPosition } from '../../src/activities/checkpointer';
import type { VideoSink } from '../../src/storage/sink';

const PRIOR = { partial: 'a.mp4.t1.0123456789ab.part', offset: 10, etag: '"e"', totalBytes: 100 };

function fakeContext(heartbeatDetails: unknown = undefined) {
  const log: string[] = [];
  const signals: unknown[] = [];
  const context = {
    info: { heartbeatDetails, workflowExecution: { workflowId: 'w', runId: 'r' } },
    heartbeat: (details: unknown) => log.push(`heartbeat ${JSON.stringify(details)}`),
    get client() {
      return {
        workflow: {
          getHandle: () => ({ signal: async (_def: unknown, progress: unknown) => void signals.push(progress) }),
        },
      };
    },
  } as unknown as Context;
  return { context, log, signals };
}

function position(log: string[], offset: number): DownloadPosition {
  const name = 'a.mp4.t1.ba9876543210.part';
  const durableCheckpoint = async () => {
    log.push('sync');
    return { partial: name, offset };
  };
  return { sink: { name, offset, durableCheckpoint } as unknown as VideoSink, etag: '"e"', totalBytes: 100 };
}

const intervals = { checkpointIntervalMs: 1_000, progressIntervalMs: 2_000 };

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Checkpointer', () => {
  it('takes the previous attempt’s checkpoint as prior, and ignores anything else', () => {
    expect(new Checkpointer(fakeContext(PRIOR).context, intervals).prior).toEqual(PRIOR);
    expect(new Checkpointer(fakeContext({ offset: 3 }).context, intervals).prior).toBeUndefined();
    expect(new Checkpointer(fakeContext().context, intervals).prior).toBeUndefined();
  });

  it('fsyncs before it heartbeats the offset', async () => {
    const { context, log } = fakeContext();
    await new Checkpointer(context, intervals).checkpoint(position(log, 42));
    expect(log).toEqual([
      'sync',
      `heartbeat ${JSON.stringify({ partial: 'a.mp4.t1.ba9876543210.part', offset: 42, etag: '"e"', totalBytes: 100 })}`,
    ]);
  });

  it('keeps alive every second with the last checkpoint (the prior one at first), until stopped', async () => {
    const { context, log } = fakeContext(PRIOR);
    const checkpointer = new Checkpointer(context, intervals);
    const stop = checkpointer.keepAlive();
    vi.advanceTimersByTime(1_000);
    expect(log).toEqual([`heartbeat ${JSON.stringify(PRIOR)}`]);
    await checkpointer.checkpoint(position(log, 50));
    log.length = 0;
    vi.advanceTimersByTime(2_000);
    expect(log).toHaveLength(2);
    expect(log.every((line) => line.includes('"offset":50'))).toBe(true);
    stop();
    vi.advanceTimersByTime(5_000);
    expect(log).toHaveLength(2);
  });

  it('with nothing to resume, leaves the first heartbeat to the first checkpoint, then keeps alive after 5 s anyway', async () => {
    const { context, log } = fakeContext();
    const checkpointer = new Checkpointer(context, intervals);
    const stop = checkpointer.keepAlive();
    vi.advanceTimersByTime(4_000);
    expect(log).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(log).toEqual(['heartbeat undefined']);
    stop();
  });

  it('checkpoints and reports progress only when their intervals have passed', async () => {
    const { context, log, signals } = fakeContext();
    const checkpointer = new Checkpointer(context, intervals);
    // Nothing during the attempt's first interval: a download that short sends no heartbeat at all.
    await checkpointer.checkpointIfDue(position(log, 1));
    vi.advanceTimersByTime(500);
    await checkpointer.checkpointIfDue(position(log, 2));
    await checkpointer.settled();
    expect(log).toEqual([]);
    expect(signals).toEqual([]);
    vi.advanceTimersByTime(500);
    await checkpointer.checkpointIfDue(position(log, 3));
    await checkpointer.settled();
    expect(log.filter((l) => l === 'sync')).toHaveLength(1);
    vi.advanceTimersByTime(500);
    await checkpointer.checkpointIfDue(position(log, 4));
    expect(log.filter((l) => l === 'sync')).toHaveLength(1);
    vi.advanceTimersByTime(1_500);
    await checkpointer.checkpointIfDue(position(log, 5));
    expect(log.filter((l) => l === 'sync')).toHaveLength(2);
    expect(signals).toEqual([{ bytes: 5, totalBytes: 100 }]);
  });

  it('makes the whole file the checkpoint when the body arrived, unless the download was shorter than an interval', async () => {
    const short = fakeContext();
    await new Checkpointer(short.context, intervals).finalCheckpoint(position(short.log, 10));
    expect(short.log).toEqual([]); // re-downloading a short video costs less than a heartbeat

    const long = fakeContext();
    const checkpointer = new Checkpointer(long.context, intervals);
    vi.advanceTimersByTime(1_000);
    await checkpointer.finalCheckpoint(position(long.log, 10));
    expect(long.log).toEqual(['sync', expect.stringContaining('"offset":10') as string]);
  });

  it('checkpoints at the first byte a sink that asks for it (an S3 upload id a retry must find)', async () => {
    const { context, log } = fakeContext();
    const checkpointer = new Checkpointer(context, intervals);
    const first = position(log, 1);
    Object.defineProperty(first.sink, 'checkpointAtOnce', { value: true });
    await checkpointer.checkpointIfDue(first);
    await checkpointer.settled();
    expect(log.filter((l) => l === 'sync')).toHaveLength(1);
    const second = position(log, 2);
    Object.defineProperty(second.sink, 'checkpointAtOnce', { value: true });
    await checkpointer.checkpointIfDue(second); // then once per interval, as any sink
    await checkpointer.settled();
    expect(log.filter((l) => l === 'sync')).toHaveLength(1);
  });

  it('lets the stream go on while a due checkpoint fsyncs, starts no second one meanwhile, and throws one that failed', async () => {
    const { context, log } = fakeContext();
    const checkpointer = new Checkpointer(context, intervals);
    let finishSync!: (offset: number) => void;
    const slow: DownloadPosition = {
      sink: {
        name: 'a.mp4.t1.ba9876543210.part',
        offset: 7,
        durableCheckpoint: () => new Promise((resolve) => (finishSync = (offset) => resolve({ partial: 'p', offset }))),
      } as unknown as VideoSink,
      etag: null,
      totalBytes: null,
    };
    vi.advanceTimersByTime(1_000);
    await checkpointer.checkpointIfDue(slow); // returns while the fsync runs
    expect(log).toEqual([]);
    vi.advanceTimersByTime(5_000);
    await checkpointer.checkpointIfDue(position(log, 9)); // due, but one is under way
    expect(log).toEqual([]);
    finishSync(7);
    await checkpointer.settled();
    expect(log).toEqual([`heartbeat ${JSON.stringify({ partial: 'p', offset: 7, etag: null, totalBytes: null })}`]);

    vi.advanceTimersByTime(1_000);
    const failing = position(log, 11);
    failing.sink.durableCheckpoint = () => Promise.reject(new Error('EIO'));
    await checkpointer.checkpointIfDue(failing);
    await expect(checkpointer.settled()).rejects.toThrow('EIO');
    await expect(checkpointer.checkpointIfDue(position(log, 12))).rejects.toThrow('EIO');
    await expect(checkpointer.checkpoint(position(log, 12))).rejects.toThrow('EIO');
    expect(log.filter((l) => l.startsWith('heartbeat'))).toHaveLength(1);
  });

  it('reports no progress where there is no Temporal client', () => {
    const { context, log } = fakeContext();
    Object.defineProperty(context, 'client', {
      get() {
        throw new Error('no client');
      },
    });
    expect(() => new Checkpointer(context, intervals).reportProgress(position(log, 1))).not.toThrow();
  });
});
