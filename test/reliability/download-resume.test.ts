/**
 * Scenarios 8, 9, 10, 12, 13 and 16 (docs/reliability-scenarios.md), through the real workflow on
 * the time-skipping server: the simulator breaks the file transfer, the activity fails, Temporal
 * retries it, and the retry resumes from the checkpoint the failed attempt heartbeated. The oracle
 * is the simulator's request log (Range, If-Range, status, bytes served) and the sha256 of the
 * stored file.
 *
 * On either provider (test/helpers/provider.ts). With ModelArk only 8 (a resume after resets, with
 * the URL a retry reads from ModelArk's status) and 16 (an expired URL read again there) run: the
 * transfer code behind the URL is the same for both providers.
 */
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeedanceVideoResult } from '../../src/contract/types';
import { startProviderHarness, type ProviderHarness } from '../helpers/harness';
import { itProviderNeutral } from '../helpers/provider';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { outputContents, sha256 } from '../helpers/files';
import { statusRequests, videoRequests } from '../helpers/requests';
import { readyTask, startAwait } from '../helpers/workflows';

let env: TestWorkflowEnvironment;
let h: ProviderHarness;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  h = await startProviderHarness({
    env,
    download: { idleTimeoutMs: 500, lowSpeedBytesPerSecond: 1024, lowSpeedWindowMs: 1_000 },
  });
});

afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

/** Runs awaitSeedanceVideo on a ready task and checks the stored file against the simulator's. */
async function download(prefix: string): Promise<{ taskId: string; result: SeedanceVideoResult }> {
  const id = await readyTask(h.sim, prefix);
  const handle = await startAwait(h.client, h.taskQueue, id);
  const result: SeedanceVideoResult = await handle.result();
  const bytes = await fs.readFile(fileURLToPath(result.video.uri));
  expect(bytes.length).toBe(h.sim.video.length);
  expect(sha256(bytes)).toBe(h.sim.videoSha256);
  expect(result.video).toMatchObject({ bytes: h.sim.video.length, sha256: h.sim.videoSha256 });
  const { files, partials } = await outputContents(h.outputDir);
  expect(files).toContain(`${id.taskId}.mp4`);
  expect(partials.filter((p) => p.includes(id.taskId))).toEqual([]);
  return { taskId: id.taskId, result };
}

describe('download faults, resumed by the workflow retrying the activity', () => {
  it('8: after two resets mid-body, each retry asks for Range at the offset the file had reached', async () => {
    const total = h.sim.video.length; // scenario 10 changes the file
    h.sim.inject({ kind: 'reset', afterBytes: 50_000, times: 2 });
    const { taskId } = await download('reset2');
    const gets = videoRequests(h.sim, taskId);
    expect(gets.map((g) => g.fault ?? null)).toEqual(['reset', 'reset', null]);
    expect(gets.map((g) => g.status)).toEqual([200, 206, 206]);
    // Each retry resumes where the previous attempt's bytes ended on disk: never from zero, never
    // past what was sent. The simulator lets the client read the 50 000 bytes before the RST, so
    // normally nothing is asked for twice (the exact offset-vs-file check is in
    // download-checkpoint.test.ts; a client too busy to read before the RST loses what the RST discards).
    expect(gets[0]!.range).toBeUndefined();
    expect(gets[0]!.bytesServed).toBe(50_000);
    const offsets = gets.slice(1).map((g) => Number(/^bytes=(\d+)-$/.exec(g.range ?? '')?.[1]));
    expect(offsets[0]).toBeGreaterThan(0);
    expect(offsets[0]).toBeLessThanOrEqual(50_000);
    expect(offsets[1]).toBeGreaterThan(offsets[0]!);
    expect(offsets[1]).toBeLessThanOrEqual(offsets[0]! + gets[1]!.bytesServed);
    expect(gets[1]!.ifRange).toMatch(/^"[0-9a-f]{16}"$/);
    expect(gets[2]!.ifRange).toBe(gets[1]!.ifRange);
    expect(gets[2]!.bytesServed).toBe(total - offsets[1]!);
    console.info(`scenario 8: resumed at ${offsets.join(', ')} after resets at 50000 and ${offsets[0]! + 50_000}`);
  });

  itProviderNeutral(
    '9: a server that ignores Range gets its 200 body written once from byte 0, never appended to the partial',
    async () => {
      const total = h.sim.video.length; // scenario 10 changes the file
      h.sim.inject({ kind: 'reset', afterBytes: 60_000 });
      h.sim.inject({ kind: 'ignoreRange' });
      const { taskId, result } = await download('ignore-range');
      const gets = videoRequests(h.sim, taskId);
      expect(gets.map((g) => g.fault ?? null)).toEqual(['reset', 'ignoreRange']);
      expect(gets[1]!.range).toBe('bytes=60000-');
      expect(gets[1]!.status).toBe(200);
      expect(gets[1]!.bytesServed).toBe(total);
      // 60 000 + total bytes arrived, the file holds exactly total: the prefix was dropped.
      expect(result.video.bytes).toBe(total);
    },
  );

  itProviderNeutral(
    '10: a file that changed between attempts is downloaded again from zero, never a mix of versions',
    async () => {
      const before = h.sim.videoSha256;
      h.sim.inject({ kind: 'reset', afterBytes: 70_000 });
      h.sim.inject({ kind: 'changeEtag' });
      const { taskId, result } = await download('changed');
      expect(h.sim.videoSha256).not.toBe(before);
      expect(result.video.sha256).toBe(h.sim.videoSha256);
      const gets = videoRequests(h.sim, taskId);
      expect(gets).toHaveLength(2);
      expect(gets[1]!.range).toBe('bytes=70000-');
      expect(gets[1]!.ifRange).toBe(`"${before.slice(0, 16)}"`);
      // If-Range did not match the new version: the server sent the whole new file, and that is what was kept.
      expect(gets[1]!.status).toBe(200);
      expect(gets[1]!.bytesServed).toBe(h.sim.video.length);
    },
  );

  itProviderNeutral('12: a clean close before Content-Length is detected as incomplete and resumed', async () => {
    const total = h.sim.video.length; // scenario 10 changes the file
    const cut = Math.floor(total * 0.7);
    h.sim.inject({ kind: 'fin', afterBytes: cut });
    const { taskId } = await download('fin');
    const gets = videoRequests(h.sim, taskId);
    expect(gets.map((g) => g.fault ?? null)).toEqual(['fin', null]);
    expect(gets[0]!.complete).toBe(false);
    expect(gets[0]!.bytesServed).toBe(cut);
    // The retry resumes, never from zero and never past what was sent. Bytes still in the stream
    // buffers when the body errored are not on disk and are asked for again (the exact offset is
    // checked against the partial file in download-checkpoint.test.ts).
    const offset = Number(/^bytes=(\d+)-$/.exec(gets[1]!.range ?? '')?.[1]);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(cut);
    expect(gets[1]!.status).toBe(206);
    expect(gets[1]!.bytesServed).toBe(total - offset);
  });

  itProviderNeutral(
    '13a: a stall after the headers hits the idle timeout (500 ms here), and the retry resumes',
    async () => {
      h.sim.inject({ kind: 'stall', afterBytes: 40_000 });
      const started = Date.now();
      const { taskId } = await download('stall');
      // The default idle timeout is 30 s: finishing this fast proves the configured one applied.
      expect(Date.now() - started).toBeLessThan(10_000);
      const gets = videoRequests(h.sim, taskId);
      expect(gets.map((g) => g.fault ?? null)).toEqual(['stall', null]);
      expect(gets[0]!.bytesServed).toBe(40_000);
      expect(gets[0]!.complete).toBe(false);
      expect(gets[1]!.range).toBe('bytes=40000-');
    },
  );

  itProviderNeutral(
    '13b: a trickle below the low-speed limit is aborted after the window, and the retry resumes',
    async () => {
      const total = h.sim.video.length; // scenario 10 changes the file
      // 200 bytes every 300 ms: never silent for 500 ms, but ~670 bytes/s, under 1024 bytes/s.
      h.sim.inject({ kind: 'trickle', bytesPerInterval: 200, intervalMs: 300 });
      const started = Date.now();
      const { taskId } = await download('trickle');
      expect(Date.now() - started).toBeLessThan(10_000);
      const gets = videoRequests(h.sim, taskId);
      expect(gets.map((g) => g.fault ?? null)).toEqual(['trickle', null]);
      const served = gets[0]!.bytesServed;
      expect(gets[0]!.complete).toBe(false);
      expect(served).toBeGreaterThan(0);
      expect(served).toBeLessThan(total);
      // The resume offset is what had arrived: at most the one chunk in flight when the abort came.
      const offset = Number(/^bytes=(\d+)-$/.exec(gets[1]!.range ?? '')?.[1]);
      expect(offset).toBeGreaterThan(0);
      expect(offset).toBeLessThanOrEqual(served);
      expect(offset).toBeGreaterThanOrEqual(served - 200);
    },
  );

  it.each([403, 410] as const)(
    '16: an expired URL (%i from the file host) is replaced by a fresh one from the status endpoint',
    async (code) => {
      h.sim.inject({ kind: 'reset', afterBytes: 30_000 });
      h.sim.inject({ kind: 'expired', code });
      const id = await readyTask(h.sim, `expired${code}`);
      const handle = await startAwait(h.client, h.taskQueue, id);
      const result: SeedanceVideoResult = await handle.result();
      expect(result.video.sha256).toBe(h.sim.videoSha256);
      const log = h.sim.requests.filter((r) => r.taskId === id.taskId && (r.kind === 'video' || r.kind === 'status'));
      expect(log.map((r) => `${r.kind} ${r.status}`)).toEqual([
        'status 200', // the workflow's check: completed (its URL goes to the download in memory)
        'video 200', // reset after 30 000 bytes
        'status 200', // the retry has no cached URL: it reads one
        `video ${code}`, // expired
        'status 200', // a fresh URL
        'video 206', // resumed with the fresh URL
      ]);
      expect(log[5]!.range).toBe('bytes=30000-');
      expect(statusRequests(h.sim, id.taskId)).toHaveLength(3);
      expect(log.every((r) => r.kind !== 'video' || r.authorization === 'missing')).toBe(true);
    },
  );
});
