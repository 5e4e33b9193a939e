/** The ModelArk mode of the simulator over real HTTP: create, get, list, delete, validation, retention, expiry. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSimulator, FLEX_FACTOR, type ModelArkSimulator } from '../../src/simulator';
import {
  arkError,
  ArkClient,
  AUTH,
  DAY,
  HOUR,
  KEY,
  MODEL,
  PROMPT,
  SECOND,
  START,
  startModelArk,
  type Json,
} from './modelark-helpers';

const clock = { now: START };
let sim: ModelArkSimulator;
let ark: ArkClient;

async function restart(options: Parameters<typeof startModelArk>[1] = {}): Promise<void> {
  await sim.close();
  sim = await startModelArk(clock, options);
  ark = new ArkClient(sim);
}

beforeEach(async () => {
  clock.now = START;
  sim = await startModelArk(clock);
  ark = new ArkClient(sim);
});

afterEach(async () => {
  await sim.close();
});

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const seconds = (ms: number): number => Math.floor(ms / 1000);

describe('create', () => {
  it('answers only a cgt- id stamped with the UTC+8 creation time, and logs the body as sent', async () => {
    const body = { ...PROMPT, callback_url: 'https://hooks.example/seedance', seed: null, ratio: null };
    const res = await ark.create(body);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^02\d{13}[0-9a-f]{38}$/);
    const created = (await res.json()) as Json;
    expect(Object.keys(created)).toEqual(['id']);
    expect(created.id).toMatch(/^cgt-20260101120506-[a-z0-9]{5}$/);
    expect(sim.createCount()).toBe(1);
    expect(sim.requests[0]).toMatchObject({ kind: 'create', status: 200, taskId: created.id });
    expect(sim.requests[0]?.modelarkCreateRequest).toEqual(body);
    expect(sim.requests[0]?.modelarkCreateRequest?.callback_url).toBe('https://hooks.example/seedance');
  });

  it('accepts null for every optional field, as the official SDK sends them', async () => {
    const res = await ark.create({
      ...PROMPT,
      callback_url: null,
      return_last_frame: null,
      service_tier: null,
      execution_expires_after: null,
      generate_audio: null,
      draft: null,
      resolution: null,
      ratio: null,
      duration: null,
      frames: null,
      seed: null,
      camera_fixed: null,
      watermark: null,
      priority: null,
      safety_identifier: null,
    });
    expect(res.status).toBe(200);
    const task = await ark.task(((await res.json()) as { id: string }).id);
    expect(task).toMatchObject({
      resolution: '720p',
      ratio: '16:9',
      duration: 5,
      service_tier: 'default',
      execution_expires_after: 172_800,
      generate_audio: true,
      draft: false,
    });
  });

  it.each([
    [{}, 400, 'MissingParameter', 'model'],
    [{ model: MODEL }, 400, 'MissingParameter', 'content'],
    [{ model: MODEL, content: null }, 400, 'MissingParameter', 'content'],
    [{ ...PROMPT, content: [] }, 400, 'InvalidParameter', 'content'],
    [{ ...PROMPT, content: [{ type: 'text', text: '' }] }, 400, 'InvalidParameter', 'content[0].text'],
    [{ ...PROMPT, content: [{ type: 'video', url: 'x' }] }, 400, 'InvalidParameter', 'content[0].type'],
    [
      { ...PROMPT, content: [{ type: 'image_url', image_url: { url: 'http://insecure.example/a.png' } }] },
      400,
      'InvalidParameter',
      'content[0].image_url.url',
    ],
    [{ ...PROMPT, resolution: '4k' }, 400, 'InvalidParameter', 'resolution'],
    [{ ...PROMPT, ratio: '2:1' }, 400, 'InvalidParameter', 'ratio'],
    [{ ...PROMPT, duration: 3 }, 400, 'InvalidParameter', 'duration'],
    [{ ...PROMPT, duration: 5.5 }, 400, 'InvalidParameter', 'duration'],
    [{ ...PROMPT, seed: -2 }, 400, 'InvalidParameter', 'seed'],
    [{ ...PROMPT, seed: 2 ** 32 }, 400, 'InvalidParameter', 'seed'],
    [{ ...PROMPT, execution_expires_after: 3599 }, 400, 'InvalidParameter', 'execution_expires_after'],
    [{ ...PROMPT, execution_expires_after: 345_600 }, 400, 'InvalidParameter', 'execution_expires_after'],
    [{ ...PROMPT, service_tier: 'fast' }, 400, 'InvalidParameter', 'service_tier'],
    [{ ...PROMPT, generate_audio: 'yes' }, 400, 'InvalidParameter', 'generate_audio'],
    [{ ...PROMPT, callback_url: 'ftp://hooks.example/x' }, 400, 'InvalidParameter', 'callback_url'],
    [{ ...PROMPT, frames: 121 }, 400, 'InvalidParameter', 'frames'],
    [{ ...PROMPT, colour: 'blue' }, 400, 'InvalidParameter', 'colour'],
    [{ ...PROMPT, draft: true, resolution: '720p' }, 400, 'InvalidParameter', 'resolution'],
    [{ ...PROMPT, draft: true, return_last_frame: true }, 400, 'InvalidParameter', 'return_last_frame'],
    [{ ...PROMPT, draft: true, service_tier: 'flex' }, 400, 'InvalidParameter', 'service_tier'],
    [
      {
        ...PROMPT,
        content: [
          { type: 'text', text: 'a' },
          { type: 'image_url', image_url: { url: 'https://x.example/1.png' }, role: 'last_frame' },
          { type: 'image_url', image_url: { url: 'https://x.example/2.png' }, role: 'first_frame' },
        ],
      },
      400,
      'InvalidParameter',
      'content',
    ],
    [{ ...PROMPT, model: 'does-not-exist' }, 404, 'InvalidEndpointOrModel.NotFound', ''],
    [
      { ...PROMPT, content: [{ type: 'text', text: 'a forbidden-content scene' }] },
      400,
      'InputTextSensitiveContentDetected',
      '',
    ],
  ])('refuses %j with %i %s (param %j) and creates nothing', async (body, status, code, param) => {
    const res = await ark.create(body);
    expect(res.status).toBe(status);
    expect(await arkError(res)).toMatchObject({
      code,
      param,
      type: status === 404 ? 'NotFound' : 'BadRequest',
    });
    expect(sim.createCount()).toBe(0);
    expect(sim.requests[0]?.modelarkCreateRequest).toBeUndefined();
  });

  it('accepts the bounds and the documented shapes: 3600 s, 259200 s, duration -1, data: images, a draft at 480p', async () => {
    for (const body of [
      { ...PROMPT, execution_expires_after: 3600 },
      { ...PROMPT, execution_expires_after: 259_200 },
      { ...PROMPT, duration: -1, seed: 2 ** 32 - 1 },
      {
        ...PROMPT,
        content: [
          { type: 'text', text: 'from a frame' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' }, role: 'first_frame' },
          { type: 'image_url', image_url: { url: 'https://x.example/2.png' }, role: 'last_frame' },
        ],
      },
      { ...PROMPT, draft: true },
    ]) {
      expect((await ark.create(body)).status, JSON.stringify(body)).toBe(200);
    }
    const [, , chosen, , draft] = sim.requests.map((r) => sim.getTask(r.taskId ?? ''));
    expect(chosen).toMatchObject({ duration: 8, seed: 2 ** 32 - 1 });
    expect(draft).toMatchObject({ draft: true, resolution: '480p' });
  });

  it('refuses a body that is not JSON or not an object with InvalidParameter', async () => {
    for (const body of ['{', '[1]', '"text"']) {
      const res = await ark.create(body);
      expect(res.status).toBe(400);
      expect((await arkError(res)).code).toBe('InvalidParameter');
    }
  });
});

describe('auth', () => {
  it('answers 401 AuthenticationError to a missing or wrong key on every endpoint', async () => {
    const task = await sim.addTask();
    const answers = [
      await ark.create(PROMPT, {}),
      await ark.create(PROMPT, { Authorization: 'Bearer nope' }),
      await ark.get(task.id, {}),
      await ark.list('', { Authorization: KEY }),
      await ark.delete(task.id, {}),
    ];
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(await arkError(res)).toMatchObject({ code: 'AuthenticationError', type: 'Unauthorized', param: '' });
    }
    expect(sim.requests.map((r) => r.authorization)).toEqual(['missing', 'wrong', 'missing', 'wrong', 'missing']);
    expect(sim.createCount()).toBe(0);
    expect(sim.getTask(task.id)).toBeDefined();
  });
});

describe('get: the task over its life', () => {
  it('reports queued and running with only the echo fields, then succeeded with content and usage', async () => {
    const id = await ark.createId({ ...PROMPT, model: 'ep-20260101-abcde', ratio: 'adaptive', seed: 42 });
    const createdAt = seconds(START);
    const queued = await ark.task(id);
    expect(queued).toEqual({
      id,
      model: MODEL, // an endpoint id reports the model name-version
      status: 'queued',
      created_at: createdAt,
      updated_at: createdAt,
      seed: 42,
      resolution: '720p',
      ratio: '16:9',
      duration: 5,
      framespersecond: 24,
      service_tier: 'default',
      execution_expires_after: 172_800,
      generate_audio: true,
      draft: false,
      priority: 0,
      output_format: 'mp4',
    });

    clock.now += 1 * SECOND; // fast profile, 720p: 1 s queued, 3 s running
    expect(await ark.task(id)).toMatchObject({ status: 'running', updated_at: createdAt + 1 });
    expect(await ark.task(id)).not.toHaveProperty('content');

    clock.now += 3 * SECOND;
    const done = await ark.task(id);
    expect(done).toMatchObject({
      status: 'succeeded',
      error: null,
      updated_at: createdAt + 4,
      usage: { completion_tokens: 108_900, total_tokens: 108_900 }, // 1280 x 720 x 121 / 1024
      resolution: '720p',
      ratio: '16:9',
    });
    const content = done.content as { video_url: string; last_frame_url?: string };
    expect(content.last_frame_url).toBeUndefined();
    const video = await fetch(content.video_url);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    expect(sha256(Buffer.from(await video.arrayBuffer()))).toBe(sim.videoSha256);
    expect(sim.requests.at(-1)).toMatchObject({ kind: 'video', authorization: 'missing', taskId: id });
  });

  it('hands out the same URL on every read, valid 24 h from completion', async () => {
    const task = await sim.addTask({ timing: { queuedMs: 0, renderMs: 10 * SECOND } });
    clock.now += 10 * SECOND;
    const url = ((await ark.task(task.id)).content as { video_url: string }).video_url;
    clock.now += 12 * HOUR;
    expect(((await ark.task(task.id)).content as { video_url: string }).video_url).toBe(url);
    expect((await fetch(url)).status).toBe(200);
    clock.now = START + 10 * SECOND + DAY + 1;
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
    expect((await ark.task(task.id)).status).toBe('succeeded'); // the record outlives its URLs
  });

  it('computes usage from the 1.5 Pro pixel table', async () => {
    const id = await ark.createId({ ...PROMPT, resolution: '1080p', ratio: '9:16', duration: 10 });
    clock.now += 10 * SECOND;
    const { usage } = await ark.task(id);
    expect(usage).toEqual({ completion_tokens: 488_025, total_tokens: 488_025 }); // 1080 x 1920 x 241 / 1024
  });

  it('serves a last-frame PNG when return_last_frame was asked, signed like the video', async () => {
    const id = await ark.createId({ ...PROMPT, return_last_frame: true });
    clock.now += 10 * SECOND;
    const content = (await ark.task(id)).content as { video_url: string; last_frame_url: string };
    expect(content.last_frame_url).toMatch(/\/files\/cgt-[^/]+\.png\?expires=\d+&sig=[0-9a-f]{64}$/);
    const png = await fetch(content.last_frame_url);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([320, 180]);
    expect(sim.requests.at(-1)).toMatchObject({ kind: 'lastFrame', status: 200, taskId: id });
    // The video's signature does not open the PNG, nor the other way round.
    const forged = content.video_url.replace('.mp4?', '.png?');
    expect((await fetch(forged)).status).toBe(403);
    expect((await fetch(content.last_frame_url.replace('.png?', '.mp4?'))).status).toBe(403);
  });

  it('has no last frame without return_last_frame (404 from the file host)', async () => {
    const task = await sim.addTask({ timing: { queuedMs: 0, renderMs: 0 } });
    const frame = await fetch(sim.signedLastFrameUrl(task.id, clock.now + HOUR));
    expect(frame.status).toBe(404);
    expect(await frame.text()).toContain('NoSuchKey');
  });

  it('serves Range requests on the video', async () => {
    const task = await sim.addTask({ timing: { queuedMs: 0, renderMs: 0 } });
    const url = ((await ark.task(task.id)).content as { video_url: string }).video_url;
    const total = sim.video.length;
    const part = await fetch(url, { headers: { Range: 'bytes=1000-' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-${total - 1}/${total}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(sim.video.subarray(1000))).toBe(true);
  });

  it('reports failed tasks with an error code and message, and no content or usage', async () => {
    const timing = { queuedMs: 0, renderMs: 10 };
    const byDefault = await sim.addTask({ timing, outcome: 'failed' });
    const coded = await sim.addTask({
      timing,
      outcome: 'failed',
      errorCode: 'InputImageSensitiveContentDetected.PrivacyInformation',
      error: 'a real person',
    });
    const changed = await sim.addTask({ timing });
    sim.setOutcome(changed.id, 'failed', {
      code: 'OutputAudioSensitiveContentDetected.PolicyViolation',
      message: 'audio',
    });
    const byMessage = await sim.addTask({ timing });
    sim.setOutcome(byMessage.id, 'failed', 'copyright');
    clock.now += 10;
    const failed = await ark.task(byDefault.id);
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'OutputVideoSensitiveContentDetected.PolicyViolation', message: expect.any(String) },
    });
    expect(failed).not.toHaveProperty('content');
    expect(failed).not.toHaveProperty('usage');
    expect((await ark.task(coded.id)).error).toEqual({
      code: 'InputImageSensitiveContentDetected.PrivacyInformation',
      message: 'a real person',
    });
    expect((await ark.task(changed.id)).error).toEqual({
      code: 'OutputAudioSensitiveContentDetected.PolicyViolation',
      message: 'audio',
    });
    expect((await ark.task(byMessage.id)).error).toMatchObject({ message: 'copyright' });
  });

  it('answers 404 NotFound.Task to unknown ids, 404 to unknown paths, 405 with Allow to other methods', async () => {
    const unknown = await ark.get('cgt-20260101120506-zzzzz');
    expect(unknown.status).toBe(404);
    expect(await arkError(unknown)).toMatchObject({ code: 'NotFound.Task', type: 'NotFound' });
    expect((await ark.get('bad.id')).status).toBe(404);
    const nowhere = await fetch(`${sim.baseUrl}/contents/generations/nothing`, { headers: AUTH });
    expect(nowhere.status).toBe(404);
    expect((await arkError(nowhere)).type).toBe('NotFound');
    expect((await fetch(`${sim.url}/v1/result/video_abc`, { headers: AUTH })).status).toBe(404); // no reseller paths
    const put = await fetch(`${sim.baseUrl}/contents/generations/tasks/cgt-x`, { method: 'PUT', headers: AUTH });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, DELETE');
  });

  it('flex tasks take FLEX_FACTOR times the profile timing of their resolution', async () => {
    const id = await ark.createId({ ...PROMPT, service_tier: 'flex', resolution: '1080p' });
    expect(sim.getTask(id)?.timing).toEqual({ queuedMs: 1000 * FLEX_FACTOR, renderMs: 4000 * FLEX_FACTOR });
    expect((await ark.task(id)).service_tier).toBe('flex');
  });
});

describe('retention and expiry', () => {
  it('keeps records 7 days from created_at, then answers 404 and lists them no more', async () => {
    const task = await sim.addTask();
    clock.now = START + 7 * DAY - 1;
    expect((await ark.task(task.id)).status).toBe('succeeded');
    expect((await ark.listed()).total).toBe(1);
    clock.now = START + 7 * DAY;
    expect((await ark.get(task.id)).status).toBe(404);
    expect(await ark.listed()).toEqual({ items: [], total: 0 });
  });

  it('expires a task still queued at created_at + execution_expires_after', async () => {
    const task = await sim.addTask({ executionExpiresAfterS: 3600, timing: { queuedMs: 2 * HOUR, renderMs: HOUR } });
    clock.now = START + HOUR - 1;
    expect((await ark.task(task.id)).status).toBe('queued');
    clock.now = START + HOUR;
    const expired = await ark.task(task.id);
    expect(expired).toMatchObject({ status: 'expired', error: null, updated_at: seconds(START + HOUR) });
    expect(expired).not.toHaveProperty('content');
    clock.now += 5 * HOUR;
    expect((await ark.task(task.id)).status).toBe('expired'); // it never runs
  });

  it('expires a task still running at the deadline of a create with execution_expires_after 3600', async () => {
    await restart({ profile: { seedance_1_5_pro_720p: { queuedMs: 10 * 60 * SECOND, renderMs: 2 * HOUR } } });
    const id = await ark.createId({ ...PROMPT, execution_expires_after: 3600 });
    clock.now = START + 10 * 60 * SECOND;
    expect((await ark.task(id)).status).toBe('running');
    clock.now = START + HOUR;
    expect(await ark.task(id)).toMatchObject({ status: 'expired', updated_at: seconds(START + HOUR) });
  });

  it("setOutcome(id, 'expired') makes a task expire when its timing runs out", async () => {
    const task = await sim.addTask({ timing: { queuedMs: 0, renderMs: 10 } });
    sim.setOutcome(task.id, 'expired');
    clock.now += 10;
    expect((await ark.task(task.id)).status).toBe('expired');
  });
});

describe('list', () => {
  it('lists default-tier tasks of the last 7 days, newest first, with filters and pages', async () => {
    const timing = { queuedMs: 0, renderMs: HOUR };
    const old = await sim.addTask({ createdMs: START - 8 * DAY });
    const a = await sim.addTask({ createdMs: START - 3 * HOUR, model: 'ep-20260101-abcde' });
    const b = await sim.addTask({ createdMs: START - 2 * HOUR, outcome: 'failed' });
    const c = await sim.addTask({ createdMs: START - 10 * 60 * SECOND, timing });
    const flex = await sim.addTask({ createdMs: START - HOUR, serviceTier: 'flex' });
    expect(old.id).toBeDefined();

    const all = await ark.listed();
    expect(all.total).toBe(3);
    expect(all.items.map((t) => t.id)).toEqual([c.id, b.id, a.id]);
    expect(all.items[0]).toEqual(await ark.task(c.id)); // items are the task objects
    expect(all.items.map((t) => t.status)).toEqual(['running', 'failed', 'succeeded']);

    expect((await ark.listed('filter.service_tier=flex')).items.map((t) => t.id)).toEqual([flex.id]);
    expect((await ark.listed('filter.status=failed')).items.map((t) => t.id)).toEqual([b.id]);
    expect((await ark.listed('filter.status=running')).items.map((t) => t.id)).toEqual([c.id]);
    const ids = await ark.listed(`filter.task_ids=${a.id}&filter.task_ids=${c.id}&filter.task_ids=${flex.id}`);
    expect(ids.items.map((t) => t.id)).toEqual([c.id, a.id]);
    const byEndpoint = await ark.listed('filter.model=ep-20260101-abcde');
    expect(byEndpoint.items.map((t) => [t.id, t.model])).toEqual([[a.id, MODEL]]);
    expect((await ark.listed(`filter.model=${MODEL}`)).total).toBe(2); // the id used at create, not the reported model

    const page2 = await ark.listed('page_size=2&page_num=2');
    expect(page2).toMatchObject({ total: 3 });
    expect(page2.items.map((t) => t.id)).toEqual([a.id]);
  });

  it('pages by 10 by default and refuses pages outside [1, 500]', async () => {
    for (let i = 0; i < 12; i++) await sim.addTask({ createdMs: START - i * SECOND });
    const first = await ark.listed();
    expect(first.items).toHaveLength(10);
    expect(first.total).toBe(12);
    expect((await ark.listed('page_num=2')).items).toHaveLength(2);
    expect((await ark.listed('page_size=500')).items).toHaveLength(12);
    for (const [query, param] of [
      ['page_size=0', 'page_size'],
      ['page_size=501', 'page_size'],
      ['page_num=0', 'page_num'],
      ['page_num=x', 'page_num'],
      ['filter.status=done', 'filter.status'],
      ['filter.service_tier=cheap', 'filter.service_tier'],
    ]) {
      const res = await ark.list(query);
      expect(res.status, query).toBe(400);
      expect(await arkError(res)).toMatchObject({ code: 'InvalidParameter', param });
    }
  });
});

describe('delete', () => {
  it('cancels a queued task, keeps its record 24 h, and refuses to delete it again', async () => {
    const id = await ark.createId();
    clock.now += 500;
    const res = await ark.delete(id);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const cancelled = await ark.task(id);
    expect(cancelled).toMatchObject({ status: 'cancelled', error: null, updated_at: seconds(START + 500) });
    clock.now += 10 * SECOND;
    expect((await ark.task(id)).status).toBe('cancelled'); // it never runs
    expect((await ark.listed('filter.status=cancelled')).total).toBe(1);

    const again = await ark.delete(id);
    expect(again.status).toBe(400);
    expect(await arkError(again)).toMatchObject({
      code: 'InvalidParameter.TaskStatusNotAllowDelete',
      type: 'BadRequest',
    });

    clock.now = START + 500 + DAY;
    expect((await ark.get(id)).status).toBe(404);
    expect((await ark.listed()).total).toBe(0);
  });

  it('refuses to delete a running task', async () => {
    const task = await sim.addTask({ timing: { queuedMs: 0, renderMs: HOUR } });
    const res = await ark.delete(task.id);
    expect(res.status).toBe(400);
    expect((await arkError(res)).code).toBe('InvalidParameter.TaskStatusNotAllowDelete');
    expect((await ark.task(task.id)).status).toBe('running');
  });

  it('deletes succeeded, failed and expired records: GET 404, the video gone', async () => {
    const succeeded = await sim.addTask({ timing: { queuedMs: 0, renderMs: 0 } });
    const failed = await sim.addTask({ timing: { queuedMs: 0, renderMs: 0 }, outcome: 'failed' });
    const expired = await sim.addTask({ timing: { queuedMs: 0, renderMs: 2 * HOUR }, executionExpiresAfterS: 3600 });
    const url = ((await ark.task(succeeded.id)).content as { video_url: string }).video_url;
    clock.now += HOUR;
    for (const task of [succeeded, failed, expired]) {
      const res = await ark.delete(task.id);
      expect(res.status).toBe(200);
      expect((await ark.get(task.id)).status).toBe(404);
      expect(sim.getTask(task.id)).toBeUndefined();
    }
    expect((await fetch(url)).status).toBe(404);
    const unknown = await ark.delete(succeeded.id);
    expect(unknown.status).toBe(404);
    expect((await arkError(unknown)).code).toBe('NotFound.Task');
  });
});

describe('addTask', () => {
  it('makes cgt- ids and takes the ModelArk fields', async () => {
    const task = await sim.addTask({
      resolution: '1080p',
      serviceTier: 'flex',
      executionExpiresAfterS: 7200,
      returnLastFrame: true,
      callbackUrl: 'http://127.0.0.1:9/cb',
      duration: 6,
    });
    expect(task.id).toMatch(/^cgt-20260101120506-[a-z0-9]{5}$/);
    expect(task).toMatchObject({
      resolution: '1080p',
      serviceTier: 'flex',
      executionExpiresAfterS: 7200,
      returnLastFrame: true,
      callbackUrl: 'http://127.0.0.1:9/cb',
      duration: 6,
      model: MODEL,
    });
    expect(await ark.task(task.id)).toMatchObject({ resolution: '1080p', service_tier: 'flex', duration: 6 });
    await expect(sim.addTask({ id: task.id })).rejects.toThrow(/exists/);
    await expect(sim.addTask({ id: 'a/b' })).rejects.toThrow(/safe/);
  });
});

describe('persistence and the CLI', () => {
  it('a restarted simulator with the same state file knows its tasks, cancellations and URLs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ark-state-'));
    try {
      const stateFile = path.join(dir, 'state.json');
      await restart({ stateFile });
      const done = await sim.addTask({ timing: { queuedMs: 0, renderMs: 0 } });
      const url = ((await ark.task(done.id)).content as { video_url: string }).video_url;
      const queued = await ark.createId();
      await ark.delete(queued);
      const port = Number(new URL(sim.url).port);
      await restart({ stateFile, port });
      // Let fetch's pool see that the old server closed its keep-alive connections.
      await new Promise((r) => setTimeout(r, 50));
      expect((await ark.task(done.id)).status).toBe('succeeded');
      expect((await ark.task(queued)).status).toBe('cancelled');
      expect((await fetch(url)).status).toBe(200);
      await sim.close();
      await expect(createSimulator({ stateFile })).rejects.toThrow(/modelark tasks, not reseller/);
      sim = await startModelArk(clock);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('main.ts --provider modelark prints both URLs, serves /api/v3, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '../../src/simulator/main.ts'), '--provider', 'modelark'],
      {
        env: { ...process.env, SIMULATOR_PORT: '0', SIMULATOR_API_KEY: 'cli-key' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = await new Promise<string[]>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.split('\n').length > 2) resolve(out.split('\n'));
      });
      child.once('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    const url = /^simulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(lines[0] ?? '')?.[1];
    expect(url).toBeDefined();
    expect(lines[1]).toBe(`ModelArk API base URL: ${url}/api/v3`);
    const res = await fetch(`${url}/api/v3/contents/generations/tasks`, {
      method: 'POST',
      headers: { Authorization: 'Bearer cli-key', 'Content-Type': 'application/json' },
      body: JSON.stringify(PROMPT),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toMatch(/^cgt-/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
