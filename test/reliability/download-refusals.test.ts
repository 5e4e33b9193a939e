/**
 * Downloads that must be refused, and what a refusal leaves behind: scenarios 14 (oversize),
 * 15 (not an MP4, truncated MP4) and the refusal half of 25 (hostile video URLs and file names)
 * of docs/reliability-scenarios.md.
 *
 * Through the real workflow on the time-skipping server where the simulator can produce the case
 * (its file faults; its own loopback `http://` video_url with `allowPrivateUrls: false`; a symlink
 * in the output root). The URL matrix runs `downloadVideo` directly in MockActivityEnvironment
 * with a stub status API that hands out each hostile `video_url` (the simulator always serves its
 * own address), against real local servers that count every TCP connection they accept.
 *
 * On either provider (test/helpers/provider.ts). With ModelArk only the hostile `video_url` that its
 * status read hands the workflow runs: the size cap, the MP4 check, file names and the URL matrix
 * act after the status read, or before any, in code both providers share.
 */
import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ResellerProvider } from '../../src/seedance/reseller-provider';
import { makeDownloadVideo } from '../../src/activities/download-video';
import type { DownloadPolicy, SeedanceApi } from '../../src/activities/dependencies';
import { VideoUrlCache } from '../../src/activities/video-url-cache';
import type { SeedanceTask } from '../../src/seedance/schemas';
import { isPublicAddress } from '../../src/seedance/url-safety';
import { LocalDirectoryStorage, STAGING_DIR_NAME } from '../../src/storage';
import { startProviderHarness, type ProviderHarness } from '../helpers/harness';
import { itProviderNeutral, onModelArk } from '../helpers/provider';
import { createTimeSkippingEnv } from '../helpers/temporal';
import type { AwaitSeedanceVideoInput } from '../../src/contract/types';
import { rejection, workflowFailure } from '../helpers/assertions';
import { outputContents } from '../helpers/files';
import { videoRequests } from '../helpers/requests';
import { readyTask, startAwait } from '../helpers/workflows';

const MAX_BYTES = 400_000;
const SIGNATURE = 'X-Amz-Signature=SECRETSIG0123456789';

let env: TestWorkflowEnvironment;
/** allowPrivateUrls (the simulator is on loopback), a 400 kB cap. */
let h: ProviderHarness;
/** The default policy: the simulator's http://127.0.0.1 video_url is hostile here. */
let strict: ProviderHarness;
/** The same, with the simulator on the IPv6 loopback [::1]. */
let strictV6: ProviderHarness;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  [h, strict, strictV6] = await Promise.all([
    startProviderHarness({ env, download: { maxBytes: MAX_BYTES } }),
    startProviderHarness({ env, download: { allowPrivateUrls: false } }),
    startProviderHarness({ env, download: { allowPrivateUrls: false }, simulator: { host: '::1' } }),
  ]);
});

afterAll(async () => {
  await Promise.all([h?.close(), strict?.close(), strictV6?.close()]);
  await env?.teardown();
});

/** Starts awaitSeedanceVideo on a ready task and returns its ApplicationFailure. */
async function failedDownload(
  harness: ProviderHarness,
  prefix: string,
  extra: Omit<AwaitSeedanceVideoInput, 'taskId'> = {},
) {
  const id = await readyTask(harness.sim, prefix);
  const handle = await startAwait(harness.client, harness.taskQueue, { ...id, ...extra });
  const failure = await workflowFailure(handle.result());
  return { ...id, failure, handle };
}

/** How many attempts downloadVideo made, from the workflow's history. */
async function downloadAttempts(handle: Awaited<ReturnType<typeof failedDownload>>['handle']): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  const started = events.filter(
    (e) =>
      e.activityTaskStartedEventAttributes &&
      events.some(
        (s) =>
          String(s.eventId) === String(e.activityTaskStartedEventAttributes!.scheduledEventId) &&
          s.activityTaskScheduledEventAttributes?.activityType?.name === 'downloadVideo',
      ),
  );
  return Number(started[0]?.activityTaskStartedEventAttributes?.attempt ?? 0);
}

describe('14: videos above the size cap are refused, typed and non-retryable, and leave nothing behind', () => {
  itProviderNeutral('a declared Content-Length above the cap: refused before writing a byte', async () => {
    h.sim.inject({ kind: 'oversize', declaredBytes: 5 * 1024 ** 3 });
    const { taskId, failure, handle } = await failedDownload(h, 'declared-oversize');
    expect(failure.type).toBe('SeedanceVideoTooLarge');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(`${MAX_BYTES}-byte cap`);
    expect(videoRequests(h.sim, taskId)).toHaveLength(1);
    expect(await downloadAttempts(handle)).toBe(1);
    expect(await outputContents(h.outputDir)).toEqual({ files: [], partials: [] });
  });

  itProviderNeutral('a chunked body that grows past the cap: stopped at the cap', async () => {
    h.sim.inject({ kind: 'chunkedOversize', totalBytes: 3_000_000 });
    const { taskId, failure } = await failedDownload(h, 'chunked-oversize');
    expect(failure.type).toBe('SeedanceVideoTooLarge');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(`grew past the ${MAX_BYTES}-byte cap`);
    expect(videoRequests(h.sim, taskId)).toHaveLength(1);
    expect(await outputContents(h.outputDir)).toEqual({ files: [], partials: [] });
  });

  itProviderNeutral('past the cap on a retry: the earlier attempt’s partial is removed too', async () => {
    h.sim.inject({ kind: 'reset', afterBytes: 50_000 });
    h.sim.inject({ kind: 'chunkedOversize', totalBytes: 3_000_000 });
    const { taskId, failure } = await failedDownload(h, 'retry-oversize');
    expect(failure.type).toBe('SeedanceVideoTooLarge');
    expect(videoRequests(h.sim, taskId).map((g) => g.fault)).toEqual(['reset', 'chunkedOversize']);
    expect(await outputContents(h.outputDir)).toEqual({ files: [], partials: [] });
  });
});

describe('15: a body that is not a complete MP4 never gets the final name', () => {
  itProviderNeutral.each([
    ['an HTML page served with 200', 'notMp4'],
    ['an MP4 without its moov box', 'truncatedMp4'],
  ] as const)('%s: SeedanceInvalidVideo, no final file, no temp file', async (_what, kind) => {
    h.sim.inject({ kind });
    const { taskId, failure } = await failedDownload(h, kind);
    expect(failure.type).toBe('SeedanceInvalidVideo');
    expect(failure.nonRetryable).toBe(true);
    const gets = videoRequests(h.sim, taskId);
    expect(gets).toHaveLength(1);
    expect(gets[0]!.complete).toBe(true); // the whole body came; verification refused it
    expect(await outputContents(h.outputDir)).toEqual({ files: [], partials: [] });
  });
});

describe('25: hostile input through the workflow', () => {
  it.each([
    ['http on 127.0.0.1', () => strict],
    ['http on [::1]', () => strictV6],
  ])(
    'the simulator’s own video_url (%s) is refused by the default policy: no file request, no file',
    async (_what, harness) => {
      const s = harness();
      expect(s.sim.url).toMatch(/^http:\/\/(127\.0\.0\.1|\[::1\]):\d+$/);
      const { taskId, failure, handle } = await failedDownload(s, 'hostile-url');
      expect(failure.type).toBe('SeedanceUnsafeUrl');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).not.toContain('sig=');
      expect(failure.message).not.toContain('/files/');
      expect(videoRequests(s.sim, taskId)).toEqual([]);
      expect(await downloadAttempts(handle)).toBe(1);
      expect(await outputContents(s.outputDir)).toEqual({ files: [], partials: [] });
    },
  );

  itProviderNeutral(
    'a symlink in the output root pointing outside is refused before any file request; its target is untouched',
    async () => {
      const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-outside-'));
      try {
        await fs.writeFile(path.join(outside, 'existing.mp4'), 'not yours');
        await fs.symlink(path.join(outside, 'new.mp4'), path.join(h.outputDir, 'dangling.mp4'));
        await fs.symlink(path.join(outside, 'existing.mp4'), path.join(h.outputDir, 'existing.mp4'));
        for (const fileName of ['dangling.mp4', 'existing.mp4']) {
          const { taskId, failure } = await failedDownload(h, 'symlink', { fileName });
          expect(failure.type).toBe('SeedanceInvalidFileName');
          expect(failure.nonRetryable).toBe(true);
          expect(videoRequests(h.sim, taskId)).toEqual([]);
        }
        expect((await fs.readdir(outside)).sort()).toEqual(['existing.mp4']);
        expect(await fs.readFile(path.join(outside, 'existing.mp4'), 'utf8')).toBe('not yours');
        expect((await outputContents(h.outputDir)).partials).toEqual([]);
      } finally {
        await fs.rm(path.join(h.outputDir, 'dangling.mp4'), { force: true });
        await fs.rm(path.join(h.outputDir, 'existing.mp4'), { force: true });
        await fs.rm(outside, { recursive: true, force: true });
      }
    },
  );

  itProviderNeutral.each([['../x.mp4'], ['a/b.mp4'], ['nul\u0000.mp4'], [`${'a'.repeat(300)}.mp4`]])(
    'file name %j is refused before any request',
    async (fileName) => {
      const before = h.sim.requests.length;
      const { failure } = await failedDownload(h, 'bad-name', { fileName });
      expect(failure.type).toBe('SeedanceInvalidInput');
      // readyTask adds the task without a request; the workflow sent none.
      expect(h.sim.requests.length).toBe(before);
    },
  );
});

describe.skipIf(onModelArk)(
  '25: hostile video URLs and file names at the activity, before any connection or write',
  () => {
    /** The server a hostile URL points at (127.0.0.1 and, for IPv6, [::1]); counts TCP connections. */
    let target: Server;
    let targetV6: Server;
    /** A first hop on 127.0.0.2, the one address the redirect tests allow; redirects to `redirectTo`. */
    let hop: Server;
    let connections = 0;
    let hopRequests = 0;
    let redirectTo = '';
    let port = 0;
    let hopPort = 0;

    let dir: string;
    let storage: LocalDirectoryStorage;
    let statusCalls = 0;

    function listen(server: Server, host: string): Promise<number> {
      return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
    }

    beforeAll(async () => {
      const answer = createServer((_req, res) => res.end('a video'));
      target = answer;
      targetV6 = createServer((_req, res) => res.end('a video'));
      for (const server of [target, targetV6]) server.on('connection', () => connections++);
      port = await listen(target, '127.0.0.1');
      await new Promise<void>((resolve) => targetV6.listen(port, '::1', resolve));
      hop = createServer((_req, res) => {
        hopRequests++;
        res.writeHead(302, { location: redirectTo });
        res.end();
      });
      hopPort = await listen(hop, '127.0.0.2');
    });

    afterAll(async () => {
      for (const server of [target, targetV6, hop]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    beforeEach(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-refusal-'));
      storage = await LocalDirectoryStorage.create(dir);
      connections = 0;
      hopRequests = 0;
      statusCalls = 0;
    });

    afterEach(async () => {
      await fs.rm(dir, { recursive: true, force: true });
    });

    /** A status API whose completed task carries `videoUrl`: the simulator cannot hand out arbitrary URLs. */
    function statusApi(videoUrl: string): SeedanceApi {
      return {
        createTask: () => Promise.reject(new Error('not used')),
        getTask: async (taskId: string): Promise<SeedanceTask> => {
          statusCalls++;
          return {
            id: taskId,
            created: Math.floor(Date.now() / 1000),
            model: 'seedance_1_5_pro_480p',
            status: 'completed',
            video_url: videoUrl,
          };
        },
      };
    }

    async function refusal(
      videoUrl: string,
      policy: Partial<DownloadPolicy>,
      fileName = 'clip.mp4',
    ): Promise<ApplicationFailure> {
      const downloadVideo = makeDownloadVideo(
        new ResellerProvider(statusApi(videoUrl)),
        storage,
        new VideoUrlCache(),
        policy,
      );
      const mock = new MockActivityEnvironment(
        { activityType: 'downloadVideo' },
        { logger: new DefaultLogger('ERROR') },
      );
      const error = await rejection(mock.run(downloadVideo, { taskId: 'video_hostile_1', fileName }));
      expect(error).toBeInstanceOf(ApplicationFailure);
      return error as ApplicationFailure;
    }

    async function stagingMtime(): Promise<number> {
      return (await fs.stat(path.join(dir, STAGING_DIR_NAME))).mtimeMs;
    }

    it.each([
      ['plain http', () => `http://cdn.example.com/v.mp4`],
      ['a 10.x private address', () => 'https://10.1.2.3/v.mp4'],
      ['a 192.168.x private address', () => 'https://192.168.1.10/v.mp4'],
      ['loopback', () => `https://127.0.0.1:${port}/v.mp4`],
      ['loopback in hex', () => `https://0x7f.1:${port}/v.mp4`],
      ['loopback as one decimal number', () => `https://2130706433:${port}/v.mp4`],
      ['the cloud metadata address', () => 'https://169.254.169.254/latest/meta-data/iam/'],
      ['IPv6 loopback', () => `https://[::1]:${port}/v.mp4`],
      ['IPv4-mapped IPv6 loopback', () => `https://[::ffff:127.0.0.1]:${port}/v.mp4`],
      ['IPv4-mapped metadata, hex form', () => 'https://[::ffff:a9fe:a9fe]/latest/meta-data/'],
      ['NAT64 metadata', () => 'https://[64:ff9b::169.254.169.254]/latest/meta-data/'],
      ['IPv6 link-local', () => 'https://[fe80::1]/v.mp4'],
      ['IPv6 unique-local', () => 'https://[fd00::1]/v.mp4'],
      ['localhost', () => `https://localhost:${port}/v.mp4`],
      ['a single-label name', () => 'https://metadata/computeMetadata/v1/'],
      ['credentials in the URL', () => 'https://user:pw@cdn.example.com/v.mp4'],
      ['a file: URL', () => 'file:///etc/passwd'],
      ['not a URL', () => 'not a url at all'],
    ])('%s: SeedanceUnsafeUrl, no connection, no file created', async (_what, url) => {
      const before = await stagingMtime();
      const failure = await refusal(`${url()}?${SIGNATURE}`, { allowPrivateUrls: false });
      expect(failure.type).toBe('SeedanceUnsafeUrl');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).not.toContain(SIGNATURE);
      expect(connections).toBe(0);
      expect(await outputContents(dir)).toEqual({ files: [], partials: [] });
      // Not even created and removed: the staging folder was never written to.
      expect(await stagingMtime()).toBe(before);
    });

    it('a public-looking name that resolves to loopback is refused at connect time, before the connection', async () => {
      // `allowPrivateUrls` lets the name through the URL check; only public addresses may be dialled.
      const failure = await refusal(`http://localhost:${port}/v.mp4?${SIGNATURE}`, {
        allowPrivateUrls: true,
        isAllowedAddress: isPublicAddress,
      });
      expect(failure.type).toBe('SeedanceUnsafeUrl');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toMatch(/resolves only to private/);
      expect(connections).toBe(0);
      expect(await outputContents(dir)).toEqual({ files: [], partials: [] });
    });

    it.each([
      ['loopback', () => `http://127.0.0.1:${port}/v.mp4`],
      ['IPv6 loopback', () => `http://[::1]:${port}/v.mp4`],
      ['the metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
      ['a private network', () => 'http://10.0.0.7/v.mp4'],
      ['a name resolving to loopback', () => `http://localhost:${port}/v.mp4`],
    ])('a redirect to %s is refused before connecting to it; nothing is kept', async (_what, location) => {
      redirectTo = `${location()}?${SIGNATURE}`;
      const failure = await refusal(`http://127.0.0.2:${hopPort}/start?${SIGNATURE}`, {
        allowPrivateUrls: true,
        isAllowedAddress: (ip) => ip === '127.0.0.2',
      });
      expect(failure.type).toBe('SeedanceUnsafeUrl');
      expect(failure.nonRetryable).toBe(true);
      expect(hopRequests).toBe(1);
      expect(connections).toBe(0);
      expect(await outputContents(dir)).toEqual({ files: [], partials: [] });
    });

    it.each([
      ['../x.mp4'],
      ['a/b.mp4'],
      ['a\\b.mp4'],
      ['nul\u0000.mp4'],
      [`${'a'.repeat(300)}.mp4`],
      ['..'],
      ['.hidden.mp4'],
      ['x.part'],
    ])('file name %j: SeedanceInvalidFileName before the status call or any connection', async (fileName) => {
      const failure = await refusal(`http://127.0.0.1:${port}/v.mp4`, { allowPrivateUrls: true }, fileName);
      expect(failure.type).toBe('SeedanceInvalidFileName');
      expect(failure.nonRetryable).toBe(true);
      expect(statusCalls).toBe(0);
      expect(connections).toBe(0);
      expect(await outputContents(dir)).toEqual({ files: [], partials: [] });
    });

    it('a symlink in the output root pointing outside: SeedanceInvalidFileName before the status call; nothing written outside', async () => {
      const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-outside-'));
      try {
        await fs.symlink(path.join(outside, 'clip.mp4'), path.join(dir, 'clip.mp4'));
        const failure = await refusal(`http://127.0.0.1:${port}/v.mp4`, { allowPrivateUrls: true }, 'clip.mp4');
        expect(failure.type).toBe('SeedanceInvalidFileName');
        expect(failure.nonRetryable).toBe(true);
        expect(statusCalls).toBe(0);
        expect(connections).toBe(0);
        expect(await fs.readdir(outside)).toEqual([]);
      } finally {
        await fs.rm(outside, { recursive: true, force: true });
      }
    });

    it('a staging folder that is a symlink out of the output root is refused when the storage opens', async () => {
      const root = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-root-'));
      const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-outside-'));
      try {
        await fs.symlink(outside, path.join(root, STAGING_DIR_NAME));
        await expect(LocalDirectoryStorage.create(root)).rejects.toThrow(/not a directory/);
        expect(await fs.readdir(outside)).toEqual([]);
      } finally {
        await fs.rm(root, { recursive: true, force: true });
        await fs.rm(outside, { recursive: true, force: true });
      }
    });
  },
);
