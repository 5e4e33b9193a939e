import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifiedWorkflowId } from '../../../src/callbacks/callback-url';
import {
  SeedanceForbiddenError,
  SeedanceInvalidResponseError,
  SeedanceRateLimitedError,
  SeedanceServerError,
  SeedanceUnauthorizedError,
} from '../../../src/seedance/errors';
import { ModelArkProvider, type ModelArkProviderOptions } from '../../../src/seedance/modelark';
import type { VideoRequest } from '../../../src/seedance/video-request';
import { arkError, arkTask, json, routes, startLocalApi, type Handler, type LocalApi } from './local-api';

const API_KEY = 'ark-test-SECRETKEY-0123456789';
const TASK_ID = 'cgt-20251009163014-wfnnx';
const TASK_PATH = `/api/v3/contents/generations/tasks/${TASK_ID}`;
const CALLBACK = { url: 'https://hooks.example.com/ark?tenant=t1', secret: 'callback-secret-0123456789' };

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api.close();
});

const providers: ModelArkProvider[] = [];
afterEach(async () => {
  api.seen = [];
  await Promise.all(providers.splice(0).map((p) => p.close()));
});

function provider(options: Partial<ModelArkProviderOptions> = {}): ModelArkProvider {
  const created = new ModelArkProvider({ apiKey: API_KEY, baseUrl: api.baseUrl, ...options });
  providers.push(created);
  return created;
}

const prompt = { type: 'text' as const, text: 'a red fox in snow' };

function sentBody(): Record<string, unknown> {
  return JSON.parse(api.seen.find((r) => r.method === 'POST')?.body ?? '{}') as Record<string, unknown>;
}

/** Resolves every name to 127.0.0.1. */
const toLoopback: LookupFunction = (_host, options, callback) =>
  options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);

const requestsSeen = () => api.seen.map((r) => `${r.method} ${r.url}`);

describe('ModelArkProvider', () => {
  it('says what it can do: cancel, callbacks only with a callback URL, records kept 7 days', () => {
    expect(provider().name).toBe('modelark');
    expect(provider().capabilities).toEqual({ cancel: true, callbacks: false, recordRetentionMs: 7 * 24 * 3600_000 });
    expect(provider({ callback: CALLBACK }).capabilities.callbacks).toBe(true);
  });

  it.each([
    [{ url: 'not a url', secret: 's' }, /callback.url/],
    [{ url: 'ftp://hooks.example.com/', secret: 's' }, /callback.url/],
    [{ url: 'https://hooks.example.com/', secret: '' }, /callback.secret/],
  ])('refuses a bad callback option %#', (callback, message) => {
    expect(() => new ModelArkProvider({ apiKey: API_KEY, callback })).toThrow(message);
  });
});

describe('ModelArkProvider.createTask', () => {
  it('maps a reseller model name to the 1.5 Pro id and resolution, and sends generate_audio', async () => {
    api.handler = json(200, { id: TASK_ID });
    const before = Date.now();
    const task = await provider().createTask({ model: 'seedance_1_5_pro_1080p', content: [prompt], duration: 5 });
    const after = Date.now();
    expect(sentBody()).toEqual({
      model: 'seedance-1-5-pro-251215',
      content: [prompt],
      duration: 5,
      resolution: '1080p',
      generate_audio: true,
    });
    expect(task).toMatchObject({
      id: TASK_ID,
      model: 'seedance-1-5-pro-251215',
      status: 'queued',
      videoUrl: null,
      resolution: '1080p',
      serviceTier: 'default',
    });
    expect(task.createdMs).toBeGreaterThanOrEqual(before);
    expect(task.createdMs).toBeLessThanOrEqual(after);
    expect(task.expiresAtMs).toBe(task.createdMs + 172_800_000);
  });

  it('synthesises the task from what was sent: tier, expiry and the 720p default', async () => {
    api.handler = json(200, { id: TASK_ID });
    const task = await provider().createTask({
      model: 'ep-20251215123456-abcde',
      content: [prompt],
      service_tier: 'flex',
      execution_expires_after: 7200,
      generate_audio: false,
    });
    expect(sentBody()).toEqual({
      model: 'ep-20251215123456-abcde',
      content: [prompt],
      service_tier: 'flex',
      execution_expires_after: 7200,
      generate_audio: false,
    });
    expect(task).toMatchObject({ model: 'ep-20251215123456-abcde', resolution: '720p', serviceTier: 'flex' });
    expect(task.expiresAtMs).toBe(task.createdMs + 7_200_000);
  });

  it('leaves generate_audio to the draft when rendering a draft task', async () => {
    api.handler = json(200, { id: TASK_ID });
    await provider().createTask({
      model: 'seedance-1-5-pro-251215',
      content: [{ type: 'draft_task', draft_task: { id: 'cgt-20251009160000-draft' } }],
    });
    expect(sentBody()).not.toHaveProperty('generate_audio');
  });

  it('uses the doubao- model id against a Volcengine host', async () => {
    // A real request to the local server under a volces.com name: only the name lookup is redirected.
    const toLocal = new Agent({ connect: { lookup: toLoopback } });
    try {
      api.handler = json(200, { id: TASK_ID });
      const port = new URL(api.baseUrl).port;
      const volcengine = provider({ baseUrl: `http://ark.cn-beijing.volces.com:${port}/api/v3`, dispatcher: toLocal });
      const task = await volcengine.createTask({ model: 'seedance_1_5_pro_720p', content: [prompt] });
      expect(sentBody()).toMatchObject({ model: 'doubao-seedance-1-5-pro-251215', resolution: '720p' });
      expect(task.model).toBe('doubao-seedance-1-5-pro-251215');
      expect(api.seen[0]?.headers.host).toBe(`ark.cn-beijing.volces.com:${port}`);
    } finally {
      await toLocal.close();
    }
  });

  it('refuses an alias that contradicts the resolution, and ModelArk rules, before sending', async () => {
    api.handler = json(200, { id: TASK_ID });
    await expect(
      provider().createTask({ model: 'seedance_1_5_pro_720p', content: [prompt], resolution: '1080p' }),
    ).rejects.toThrow(/means resolution 720p, but resolution is 1080p/);
    await expect(
      provider().createTask({ model: 'seedance_1_5_pro_720p', content: [prompt], draft: true }),
    ).rejects.toThrow(/a draft is 480p only, not 720p/);
    await expect(
      provider().createTask({ model: 'seedance-1-5-pro-251215', content: [prompt], draft: true }),
    ).rejects.toThrow(/a draft needs resolution 480p/);
    expect(api.seen).toHaveLength(0);
  });

  it('sends a draft through the 480p alias', async () => {
    api.handler = json(200, { id: TASK_ID });
    await provider().createTask({ model: 'seedance_1_5_pro_480p', content: [prompt], draft: true });
    expect(sentBody()).toMatchObject({ model: 'seedance-1-5-pro-251215', resolution: '480p', draft: true });
  });

  it('signs the callback URL with the creating workflow’s id', async () => {
    api.handler = json(200, { id: TASK_ID });
    await provider({ callback: CALLBACK }).createTask(
      { model: 'seedance_1_5_pro_720p', content: [prompt] },
      { workflowId: 'video-42' },
    );
    const callbackUrl = new URL(String(sentBody().callback_url));
    expect(`${callbackUrl.origin}${callbackUrl.pathname}`).toBe('https://hooks.example.com/ark');
    expect(callbackUrl.searchParams.get('tenant')).toBe('t1');
    expect(verifiedWorkflowId(callbackUrl.searchParams, CALLBACK.secret)).toBe('video-42');
    expect(verifiedWorkflowId(callbackUrl.searchParams, 'another-secret-0123456789')).toBeUndefined();
    expect(String(sentBody().callback_url)).not.toContain(CALLBACK.secret);
  });

  it('sends the plain callback URL without a workflow id, and none when not configured', async () => {
    api.handler = json(200, { id: TASK_ID });
    await provider({ callback: CALLBACK }).createTask({ model: 'seedance_1_5_pro_720p', content: [prompt] });
    expect(sentBody().callback_url).toBe(CALLBACK.url);
    api.seen = [];
    await provider().createTask({ model: 'seedance_1_5_pro_720p', content: [prompt] }, { workflowId: 'video-42' });
    expect(sentBody()).not.toHaveProperty('callback_url');
  });

  it('passes the neutral request’s nulls-free options through unchanged', async () => {
    api.handler = json(200, { id: TASK_ID });
    const request: VideoRequest = {
      model: 'seedance-1-5-pro-251215',
      content: [
        prompt,
        { type: 'image_url', image_url: { url: 'https://img.example.com/a.png' }, role: 'first_frame' },
      ],
      ratio: 'adaptive',
      duration: -1,
      seed: 11,
      camera_fixed: true,
      watermark: false,
      return_last_frame: true,
      generate_audio: true,
    };
    await provider().createTask(request);
    expect(sentBody()).toEqual(request);
  });
});

describe('ModelArkProvider.getTask', () => {
  it('maps the answer onto a ProviderTask', async () => {
    api.handler = json(
      200,
      arkTask(TASK_ID, 'succeeded', {
        content: { video_url: 'https://tos.example.com/v.mp4?sig=1', last_frame_url: 'https://tos.example.com/f.png' },
        usage: { completion_tokens: 108_900, total_tokens: 108_900 },
        resolution: '720p',
        duration: 5,
        service_tier: 'default',
        execution_expires_after: 172_800,
      }),
    );
    const task = await provider().getTask(TASK_ID);
    expect(task).toMatchObject({
      id: TASK_ID,
      status: 'completed',
      createdMs: 1_787_869_631_000,
      videoUrl: 'https://tos.example.com/v.mp4?sig=1',
      lastFrameUrl: 'https://tos.example.com/f.png',
      actualDuration: 5,
      usage: { completionTokens: 108_900, totalTokens: 108_900 },
      videoUrlExpiresAtMs: 1_787_869_640_000 + 86_400_000,
    });
  });

  it('refuses a succeeded answer without a video URL as a retryable invalid response', async () => {
    api.handler = json(200, arkTask(TASK_ID, 'succeeded', { content: null }));
    const error = await provider()
      .getTask(TASK_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeedanceInvalidResponseError);
    expect((error as SeedanceInvalidResponseError).retryable).toBe(true);
  });
});

describe('ModelArkProvider.cancelTask', () => {
  /** Answers the status reads with these statuses in turn (the last one repeats). */
  const statusThen = (...statuses: string[]): Handler => {
    let reads = 0;
    return (req, res, body) => {
      const status = statuses[Math.min(reads++, statuses.length - 1)] ?? 'queued';
      const content = status === 'succeeded' ? { content: { video_url: 'https://v' } } : {};
      json(200, arkTask(TASK_ID, status, content))(req, res, body);
    };
  };

  it.each([
    ['running', 'processing'],
    ['succeeded', 'completed'],
    ['failed', 'failed'],
    ['expired', 'expired'],
    ['cancelled', 'cancelled'],
  ] as const)('never sends a DELETE for a %s task (it would delete a finished record)', async (status, neutral) => {
    api.handler = routes({ [`GET ${TASK_PATH}`]: statusThen(status), [`DELETE ${TASK_PATH}`]: json(200, {}) });
    expect(await provider().cancelTask(TASK_ID)).toEqual({ cancelled: false, status: neutral });
    expect(requestsSeen()).toEqual([`GET ${TASK_PATH}`]);
  });

  it('sends one DELETE for a queued task and reports it cancelled', async () => {
    api.handler = routes({ [`GET ${TASK_PATH}`]: statusThen('queued'), [`DELETE ${TASK_PATH}`]: json(200, '') });
    expect(await provider().cancelTask(TASK_ID)).toEqual({ cancelled: true, status: 'cancelled' });
    expect(requestsSeen()).toEqual([`GET ${TASK_PATH}`, `DELETE ${TASK_PATH}`]);
    expect(api.seen[1]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it.each([
    [400, 'InvalidParameter'],
    [404, 'ResourceNotFound'],
    [409, 'Conflict'],
  ])(
    'reads the status again when the DELETE is refused (HTTP %i %s: the task started meanwhile)',
    async (status, code) => {
      api.handler = routes({
        [`GET ${TASK_PATH}`]: statusThen('queued', 'running'),
        [`DELETE ${TASK_PATH}`]: json(status, arkError(code, 'the task cannot be cancelled now')),
      });
      expect(await provider().cancelTask(TASK_ID)).toEqual({ cancelled: false, status: 'processing' });
      expect(requestsSeen()).toEqual([`GET ${TASK_PATH}`, `DELETE ${TASK_PATH}`, `GET ${TASK_PATH}`]);
    },
  );

  it.each([
    [401, 'AuthenticationError', SeedanceUnauthorizedError],
    [403, 'AccessDenied', SeedanceForbiddenError],
    [429, 'RateLimitExceeded.EndpointRPMExceeded', SeedanceRateLimitedError],
    [500, 'InternalServiceError', SeedanceServerError],
  ] as const)('throws on a DELETE answered %i %s', async (status, code, type) => {
    api.handler = routes({
      [`GET ${TASK_PATH}`]: statusThen('queued'),
      [`DELETE ${TASK_PATH}`]: json(status, arkError(code, `no ${API_KEY}`)),
    });
    const error = await provider()
      .cancelTask(TASK_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(String(error)).not.toContain(API_KEY);
    expect(requestsSeen()).toEqual([`GET ${TASK_PATH}`, `DELETE ${TASK_PATH}`]);
  });

  it('throws the status read’s error without sending a DELETE', async () => {
    api.handler = json(401, arkError('AuthenticationError', 'bad key', 'Unauthorized'));
    await expect(provider().cancelTask(TASK_ID)).rejects.toBeInstanceOf(SeedanceUnauthorizedError);
    expect(requestsSeen()).toEqual([`GET ${TASK_PATH}`]);
  });
});
