/**
 * The download scenarios that concern storage (docs/reliability-scenarios.md: 8, 9, 10, 11, 12,
 * 14, 15, 20), run attempt by attempt against both sinks: the local directory and an S3 bucket
 * (SeaweedFS). Each attempt gets the previous attempt's last heartbeat, as Temporal hands it to a
 * retry, and the storage itself is the oracle: the partial a checkpoint points at must durably
 * hold exactly its `offset` bytes, the video's first ones (a local partial file read back; the S3
 * upload's parts as the server lists them, their MD5 ETags against the video's slices).
 *
 * The video is exactly three S3 parts, so an S3 checkpoint (taken at part boundaries only) can
 * resume mid-file twice and can also hold the whole file. Sink-specific rules stay with their
 * sink: the local commit protocol, foreign partial names and the zombie's unlinked file in
 * download-checkpoint.test.ts, disk full in download-disk-full.test.ts, S3 faults in
 * download-s3-faults.test.ts.
 */
import { ActivityCancellationDetails, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeDiscardPartialDownload } from '../../src/activities/discard-partial-download';
import type { DownloadPolicy } from '../../src/activities/dependencies';
import { createSimulator, type Simulator } from '../../src/simulator';
import type { DownloadCheckpoint } from '../../src/storage/sink';
import type { VideoStorage } from '../../src/storage/types';
import { rejection } from '../helpers/assertions';
import { activityRunner, downloadInput, type ActivityRun, type ActivityRunner } from '../helpers/download-activity';
import { sha256 } from '../helpers/files';
import { SIM_KEY } from '../helpers/harness';
import { videoRequests } from '../helpers/requests';
import { sinkKinds, TEST_PART_SIZE, videoOfParts, type SinkUnderTest } from '../helpers/sinks';
import { until } from '../helpers/wait';

const MIB = 1024 * 1024;

const VIDEO = videoOfParts(3);
/** Room for the simulator's changed file (a few bytes longer), not for 1 MiB more. */
const MAX_BYTES = VIDEO.length + MIB / 2;
const POLICY: Partial<DownloadPolicy> = { idleTimeoutMs: 2_000, checkpointIntervalMs: 200, maxBytes: MAX_BYTES };

function checkpoints(run: ActivityRun): DownloadCheckpoint[] {
  return run.heartbeats as unknown as DownloadCheckpoint[];
}

function failureOf(error: unknown): ApplicationFailure {
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe.each(sinkKinds())('storage scenarios on the $name', (kind) => {
  let sim: Simulator;

  beforeAll(async () => {
    await kind.setUp();
    sim = await createSimulator({ apiKey: SIM_KEY, video: VIDEO });
  });

  afterAll(async () => {
    await sim?.close();
    await kind.tearDown();
  });

  afterEach(() => sim.clearFaults());

  /** A new empty storage of this kind, and the activity writing to it. */
  async function fresh(): Promise<{ sut: SinkUnderTest; run: ActivityRunner }> {
    const sut = await kind.create();
    return { sut, run: activityRunner(sim, sut.storage, POLICY) };
  }

  /** The one video stored is `fileName`, with `expected` sha256, and no partial is left. */
  async function expectOnlyStored(sut: SinkUnderTest, fileName: string, expected = sim.videoSha256): Promise<void> {
    const bytes = await sut.readStored(fileName);
    expect(bytes && sha256(bytes)).toBe(expected);
    expect(await sut.storedNames()).toEqual([fileName]);
    expect(await sut.listPartials()).toEqual([]);
  }

  async function expectNothingLeft(sut: SinkUnderTest): Promise<void> {
    expect(await sut.storedNames()).toEqual([]);
    expect(await sut.listPartials()).toEqual([]);
  }

  /** A checkpoint of this download made through the storage port, as an earlier attempt would leave it. */
  async function checkpointOf(sut: SinkUnderTest, input: { fileName: string; taskId: string }, bytes: Buffer) {
    const sink = await sut.storage.openSink(input);
    await sink.write(bytes);
    const durable = await sink.durableCheckpoint();
    await sink.close();
    const etag = `"${sim.videoSha256.slice(0, 16)}"`;
    return { sink, checkpoint: { ...durable, etag, totalBytes: sim.video.length } as DownloadCheckpoint };
  }

  it('8: two resets; each retry sends Range at the checkpointed offset, whose bytes the partial durably holds', async () => {
    const { sut, run } = await fresh();
    const input = await downloadInput(sim, 'reset2');
    const cut = TEST_PART_SIZE + MIB;
    sim.inject({ kind: 'reset', afterBytes: cut, times: 2 });
    let prior: DownloadCheckpoint | undefined;
    const offsets: number[] = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      const failed = run.attempt(input, { attempt, heartbeatDetails: prior });
      const failure = failureOf(await rejection(failed.result));
      expect(failure.type).toBe('SeedanceNetworkError');
      expect(failure.nonRetryable).toBe(false);
      const from = prior?.offset ?? 0;
      prior = checkpoints(failed).at(-1)!;
      // Never behind the last checkpoint, never past what was sent. Not always ahead: the RST
      // discards what the client had not read yet, and an S3 sink checkpoints only whole parts.
      expect(prior.offset).toBeGreaterThanOrEqual(from);
      expect(prior.offset).toBeLessThanOrEqual(from + cut);
      expect(prior.offset % kind.checkpointGrain).toBe(0);
      expect(await sut.holdsPrefix(prior, sim.video)).toBe(true);
      offsets.push(prior.offset);
    }
    expect((await run.attempt(input, { attempt: 3, heartbeatDetails: prior }).result).sha256).toBe(sim.videoSha256);
    const gets = videoRequests(sim, input.taskId);
    const rangeFrom = (offset: number) => (offset > 0 ? `bytes=${offset}-` : null);
    expect(gets.map((g) => g.range ?? null)).toEqual([null, ...offsets.map(rangeFrom)]);
    expect(gets.slice(1).every((g) => !g.range || (g.status === 206 && g.ifRange === prior!.etag))).toBe(true);
    await expectOnlyStored(sut, input.fileName);
  });

  it('12: a FIN at 70% leaves a checkpoint at durable bytes; the retry asks for exactly the rest', async () => {
    const { sut, run } = await fresh();
    const input = await downloadInput(sim, 'fin');
    const cut = Math.floor(sim.video.length * 0.7);
    sim.inject({ kind: 'fin', afterBytes: cut });
    const first = run.attempt(input);
    expect(failureOf(await rejection(first.result)).type).toBe('SeedanceNetworkError');
    const checkpoint = checkpoints(first).at(-1)!;
    expect(checkpoint.offset).toBeGreaterThan(0);
    expect(checkpoint.offset).toBeLessThanOrEqual(cut);
    expect(await sut.holdsPrefix(checkpoint, sim.video)).toBe(true);

    await run.attempt(input, { attempt: 2, heartbeatDetails: checkpoint }).result;
    const gets = videoRequests(sim, input.taskId);
    expect(gets[1]).toMatchObject({ range: `bytes=${checkpoint.offset}-`, status: 206 });
    expect(gets[1]!.bytesServed).toBe(sim.video.length - checkpoint.offset);
    await expectOnlyStored(sut, input.fileName);
  });

  it('9: a host that ignores Range gets its 200 body stored once from byte 0, never appended to the partial', async () => {
    const { sut, run } = await fresh();
    const input = await downloadInput(sim, 'ignore-range');
    sim.inject({ kind: 'fin', afterBytes: TEST_PART_SIZE + MIB });
    sim.inject({ kind: 'ignoreRange' });
    const first = run.attempt(input);
    await rejection(first.result);
    const checkpoint = checkpoints(first).at(-1)!;
    expect(checkpoint.offset).toBeGreaterThan(0);
    const stored = await run.attempt(input, { attempt: 2, heartbeatDetails: checkpoint }).result;
    expect(stored).toMatchObject({ bytes: sim.video.length, sha256: sim.videoSha256 });
    const gets = videoRequests(sim, input.taskId);
    expect(gets[1]).toMatchObject({ range: `bytes=${checkpoint.offset}-`, status: 200 });
    await expectOnlyStored(sut, input.fileName);
  });

  it('10: a file that changed between attempts is stored from zero, never a mix of versions', async () => {
    const sut = await kind.create();
    const changing = await createSimulator({ apiKey: SIM_KEY, video: VIDEO });
    try {
      const run = activityRunner(changing, sut.storage, POLICY);
      const input = await downloadInput(changing, 'changed');
      const before = changing.videoSha256;
      changing.inject({ kind: 'fin', afterBytes: TEST_PART_SIZE + MIB });
      changing.inject({ kind: 'changeEtag' });
      const first = run.attempt(input);
      await rejection(first.result);
      const checkpoint = checkpoints(first).at(-1)!;
      const stored = await run.attempt(input, { attempt: 2, heartbeatDetails: checkpoint }).result;
      expect(changing.videoSha256).not.toBe(before);
      expect(stored.sha256).toBe(changing.videoSha256);
      const gets = videoRequests(changing, input.taskId);
      expect(gets[1]).toMatchObject({ range: `bytes=${checkpoint.offset}-`, ifRange: `"${before.slice(0, 16)}"` });
      expect(gets[1]).toMatchObject({ status: 200, bytesServed: changing.video.length });
      await expectOnlyStored(sut, input.fileName, changing.videoSha256);
    } finally {
      await changing.close();
    }
  });

  it('11: a partial that is already complete gets a 416, no body, and is verified and stored', async () => {
    const { sut, run } = await fresh();
    const input = await downloadInput(sim, 'complete');
    const { checkpoint } = await checkpointOf(sut, input, sim.video);
    expect(checkpoint.offset).toBe(sim.video.length);
    const stored = await run.attempt(input, { attempt: 2, heartbeatDetails: checkpoint }).result;
    expect(stored).toMatchObject({ bytes: sim.video.length, sha256: sim.videoSha256 });
    const gets = videoRequests(sim, input.taskId);
    expect(gets).toHaveLength(1);
    expect(gets[0]).toMatchObject({ range: `bytes=${sim.video.length}-`, status: 416, bytesServed: 0 });
    await expectOnlyStored(sut, input.fileName);
  });

  it('11: a video already stored under its name is reused, also when the host ignores Range (200, not 416)', async () => {
    const { sut, run } = await fresh();
    const input = await downloadInput(sim, 'stored');
    const first = await run.attempt(input).result;
    sim.inject({ kind: 'ignoreRange' });
    expect(await run.attempt(input, { attempt: 2 }).result).toEqual(first);
    const gets = videoRequests(sim, input.taskId);
    expect(gets).toHaveLength(2);
    expect(gets[1]).toMatchObject({ range: `bytes=${sim.video.length}-`, status: 200 });
    await expectOnlyStored(sut, input.fileName);
  });

  it('8/10: a checkpoint whose partial is gone (deleted; an S3 upload expired or aborted) restarts from zero', async () => {
    const { sut, run } = await fresh();
    const input = await downloadInput(sim, 'gone');
    const { sink, checkpoint } = await checkpointOf(sut, input, sim.video.subarray(0, TEST_PART_SIZE + MIB));
    expect(checkpoint.offset).toBeGreaterThan(0);
    await sink.discard();
    await run.attempt(input, { attempt: 2, heartbeatDetails: checkpoint }).result;
    expect(videoRequests(sim, input.taskId).map((g) => g.range ?? null)).toEqual([null]);
    await expectOnlyStored(sut, input.fileName);
  });

  describe('14: videos above the size cap are refused, typed and non-retryable, and leave nothing behind', () => {
    it('a declared Content-Length above the cap', async () => {
      const { sut, run } = await fresh();
      const input = await downloadInput(sim, 'declared-oversize');
      sim.inject({ kind: 'oversize', declaredBytes: 5 * 1024 ** 3 });
      const failure = failureOf(await rejection(run.attempt(input).result));
      expect(failure.type).toBe('SeedanceVideoTooLarge');
      expect(failure.nonRetryable).toBe(true);
      await expectNothingLeft(sut);
    });

    it('a body that grows past the cap on a retry: the earlier attempt’s partial goes too', async () => {
      const { sut, run } = await fresh();
      const input = await downloadInput(sim, 'retry-oversize');
      sim.inject({ kind: 'fin', afterBytes: TEST_PART_SIZE + MIB });
      sim.inject({ kind: 'chunkedOversize', totalBytes: MAX_BYTES + MIB });
      const first = run.attempt(input);
      await rejection(first.result);
      expect(await sut.listPartials()).toHaveLength(1);
      const retry = run.attempt(input, { attempt: 2, heartbeatDetails: checkpoints(first).at(-1) });
      const failure = failureOf(await rejection(retry.result));
      expect(failure.type).toBe('SeedanceVideoTooLarge');
      expect(failure.message).toContain(`grew past the ${MAX_BYTES}-byte cap`);
      expect(failure.nonRetryable).toBe(true);
      await expectNothingLeft(sut);
    });
  });

  it.each([
    ['an HTML page served with 200', 'notMp4'],
    ['an MP4 without its moov box', 'truncatedMp4'],
  ] as const)('15: %s is refused (SeedanceInvalidVideo, non-retryable) and leaves nothing behind', async (_, fault) => {
    const { sut, run } = await fresh();
    const input = await downloadInput(sim, fault);
    sim.inject({ kind: fault });
    const failure = failureOf(await rejection(run.attempt(input).result));
    expect(failure.type).toBe('SeedanceInvalidVideo');
    expect(failure.nonRetryable).toBe(true);
    expect(videoRequests(sim, input.taskId)[0]!.complete).toBe(true); // the whole body came; verification refused it
    await expectNothingLeft(sut);
  });

  describe('20: what a cancellation does with the partial depends on its reason', () => {
    /** A throttled attempt, waited on until a checkpoint holds at least one S3 part. */
    async function midway(sut: SinkUnderTest, run: ActivityRunner, prefix: string) {
      const input = await downloadInput(sim, prefix);
      sim.inject({ kind: 'throttle', bytesPerSecond: 4 * MIB });
      const attempt = run.attempt(input);
      await until(() => checkpoints(attempt).some((h) => h.offset >= TEST_PART_SIZE), 10_000, 'a durable part');
      return { input, attempt };
    }

    it('CANCELLED (the workflow asked): removes the partial, an earlier attempt’s too', async () => {
      const { sut, run } = await fresh();
      const { input, attempt } = await midway(sut, run, 'cancelled');
      await checkpointOf(sut, input, sim.video.subarray(0, 100)); // an earlier attempt's leftover
      expect((await sut.listPartials()).length).toBeGreaterThanOrEqual(2);
      attempt.env.cancel('CANCELLED', new ActivityCancellationDetails({ cancelRequested: true }));
      expect(await rejection(attempt.result)).toBeInstanceOf(CancelledFailure);
      await expectNothingLeft(sut);
      expect(videoRequests(sim, input.taskId)[0]!.complete).toBe(false);
    });

    it('WORKER_SHUTDOWN (graceful stop): keeps the partial, checkpoints it, and the next attempt resumes there', async () => {
      const { sut, run } = await fresh();
      const { input, attempt } = await midway(sut, run, 'shutdown');
      attempt.env.cancel('WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true }));
      expect(await rejection(attempt.result)).toBeInstanceOf(CancelledFailure);
      const checkpoint = checkpoints(attempt).at(-1)!;
      expect(checkpoint.offset).toBeGreaterThanOrEqual(TEST_PART_SIZE);
      expect(await sut.holdsPrefix(checkpoint, sim.video)).toBe(true);
      await run.attempt(input, { attempt: 2, heartbeatDetails: checkpoint }).result;
      expect(videoRequests(sim, input.taskId)[1]!.range).toBe(`bytes=${checkpoint.offset}-`);
      await expectOnlyStored(sut, input.fileName);
    });

    it.each([
      ['TIMED_OUT', { timedOut: true }],
      ['NOT_FOUND', { notFound: true }],
    ] as const)('%s (a zombie): stops, and leaves the partial to the live attempt', async (reason, details) => {
      const { sut, run } = await fresh();
      const { attempt } = await midway(sut, run, reason.toLowerCase());
      attempt.env.cancel(reason, new ActivityCancellationDetails(details));
      expect(await rejection(attempt.result)).toBeInstanceOf(CancelledFailure);
      const heartbeatsAtEnd = attempt.heartbeats.length;
      const partial = sut.partialOf(checkpoints(attempt).at(-1)!);
      const left = await sut.listPartials();
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(left.map((p) => p.name)).toContain(partial);
      expect(await sut.listPartials()).toEqual(left); // not written to any more
      expect(attempt.heartbeats.length).toBe(heartbeatsAtEnd);
      expect(await sut.storedNames()).toEqual([]);
    });

    it('a zombie that opened its sink after the live attempt stored the video leaves nothing behind', async () => {
      const { sut, run } = await fresh();
      const input = await downloadInput(sim, 'latezombie');
      await run.attempt(input).result; // the live attempt stores the video
      // The zombie looked for a stored video before the live attempt finished (so it saw none).
      let looked = false;
      const racing: VideoStorage = Object.assign(Object.create(sut.storage) as VideoStorage, {
        find: (fileName: string) =>
          looked ? sut.storage.find(fileName) : ((looked = true), Promise.resolve(undefined)),
      });
      sim.inject({ kind: 'throttle', bytesPerSecond: 4 * MIB });
      const zombie = activityRunner(sim, racing, POLICY).attempt(input, { attempt: 2 });
      await until(() => checkpoints(zombie).some((h) => h.offset >= TEST_PART_SIZE), 10_000, 'a durable part');
      zombie.env.cancel('TIMED_OUT', new ActivityCancellationDetails({ timedOut: true }));
      expect(await rejection(zombie.result)).toBeInstanceOf(CancelledFailure);
      await expectOnlyStored(sut, input.fileName);
    });

    it('20b: after a cancel between attempts, discardPartialDownload removes what the failed attempt kept', async () => {
      const { sut, run } = await fresh();
      const input = await downloadInput(sim, 'discard');
      sim.inject({ kind: 'fin', afterBytes: TEST_PART_SIZE + MIB });
      await rejection(run.attempt(input).result);
      expect(await sut.listPartials()).toHaveLength(1);
      const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
      expect(await env.run(makeDiscardPartialDownload(sut.storage), input)).toBe(1);
      await expectNothingLeft(sut);
    });
  });
});
