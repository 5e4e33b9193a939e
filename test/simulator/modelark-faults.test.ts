/** The reseller mode's faults in the ModelArk mode, its 429 codes, and the list, delete and lastFrame targets. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topLevelBoxes, type ModelArkRateLimitCode, type ModelArkSimulator } from '../../src/simulator';
import { arkError, ArkClient, AUTH, PROMPT, START, rawGet, startModelArk } from './modelark-helpers';

const clock = { now: START };
let sim: ModelArkSimulator;
let ark: ArkClient;

beforeEach(async () => {
  clock.now = START;
  sim = await startModelArk(clock);
  ark = new ArkClient(sim);
});

afterEach(async () => {
  await sim.close();
});

/** A succeeded task with a last frame, and its two URLs. */
async function succeeded(): Promise<{ id: string; video: string; frame: string }> {
  const task = await sim.addTask({ timing: { queuedMs: 0, renderMs: 0 }, returnLastFrame: true });
  const content = (await ark.task(task.id)).content as { video_url: string; last_frame_url: string };
  return { id: task.id, video: content.video_url, frame: content.last_frame_url };
}

describe('429 and 5xx in the ModelArk envelope', () => {
  it.each<ModelArkRateLimitCode>([
    'RateLimitExceeded.EndpointRPMExceeded',
    'ModelAccountRpmRateLimitExceeded',
    'QuotaExceeded',
    'ServerOverloaded',
    'RequestBurstTooFast',
    'InflightBatchsizeExceeded',
  ])('rateLimit %s: 429 TooManyRequests without Retry-After unless asked', async (errorCode) => {
    sim.inject({ target: 'create', kind: 'rateLimit', errorCode });
    sim.inject({ target: 'create', kind: 'rateLimit', errorCode, retryAfterSeconds: 7 });
    const first = await ark.create();
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBeNull();
    expect(await arkError(first)).toMatchObject({ code: errorCode, type: 'TooManyRequests', param: '' });
    const second = await ark.create();
    expect(second.headers.get('retry-after')).toBe('7');
    expect(sim.createCount()).toBe(0);
    expect((await ark.create()).status).toBe(200);
  });

  it('rateLimit defaults to RateLimitExceeded.EndpointRPMExceeded; status 500 to InternalServiceError', async () => {
    sim.inject({ target: 'status', kind: 'rateLimit' });
    sim.inject({ target: 'status', kind: 'status', code: 500 });
    sim.inject({ target: 'status', kind: 'status', code: 403, errorCode: 'AccountOverdueError' });
    expect((await arkError(await ark.get('cgt-x'))).code).toBe('RateLimitExceeded.EndpointRPMExceeded');
    const internal = await ark.get('cgt-x');
    expect(internal.status).toBe(500);
    expect(await arkError(internal)).toMatchObject({
      code: 'InternalServiceError',
      type: 'InternalServerError',
      message: expect.stringMatching(/^The service encountered an unexpected internal error\. Request id: 02\d+/),
    });
    const overdue = await ark.get('cgt-x');
    expect(overdue.status).toBe(403);
    expect(await arkError(overdue)).toMatchObject({ code: 'AccountOverdueError', type: 'Forbidden' });
  });

  it('gateway pages: 502, 503 and 504 as nginx HTML on any target', async () => {
    const { id, video } = await succeeded();
    sim.inject({ target: 'create', kind: 'status', code: 502, body: 'html' });
    sim.inject({ target: 'status', kind: 'status', code: 503, body: 'html', retryAfterSeconds: 3 });
    sim.inject({ target: 'list', kind: 'status', code: 504, body: 'html' });
    sim.inject({ target: 'video', kind: 'status', code: 503, body: 'html' });
    const answers = [await ark.create(), await ark.get(id), await ark.list(), await fetch(video)];
    expect(answers.map((r) => r.status)).toEqual([502, 503, 504, 503]);
    expect(answers[1]?.headers.get('retry-after')).toBe('3');
    for (const res of answers) {
      expect(res.headers.get('content-type')).toBe('text/html');
      expect(await res.text()).toContain('<center>nginx</center>');
    }
    expect(sim.createCount()).toBe(0);
    expect((await fetch(video)).status).toBe(200);
  });

  it('a fault on delete answers before the API: the task stays as it was', async () => {
    const id = await ark.createId();
    sim.inject({ target: 'delete', kind: 'status', code: 500 });
    expect((await ark.delete(id)).status).toBe(500);
    expect((await ark.task(id)).status).toBe('queued');
    expect(sim.requests.at(-2)).toMatchObject({ kind: 'delete', fault: 'status', taskId: id });
  });

  it('malformed and hang', async () => {
    sim.inject({ target: 'status', kind: 'malformed' });
    sim.inject({ target: 'list', kind: 'malformed', body: 'wrongSchema' });
    sim.inject({ target: 'create', kind: 'hang' });
    const broken = await ark.get('cgt-x');
    expect(broken.status).toBe(200);
    await expect(broken.json()).rejects.toThrow();
    expect(await (await ark.list()).json()).toMatchObject({ id: 42 });
    await expect(
      fetch(`${sim.baseUrl}/contents/generations/tasks`, {
        method: 'POST',
        headers: AUTH,
        body: JSON.stringify(PROMPT),
        signal: AbortSignal.timeout(150),
      }),
    ).rejects.toThrow();
    expect(sim.requests.at(-1)).toMatchObject({ kind: 'create', status: 0, fault: 'hang' });
    expect(sim.createCount()).toBe(0);
  });
});

describe('dropResponse', () => {
  it('on create: the task exists, the client hears nothing', async () => {
    sim.inject({ kind: 'dropResponse' });
    await expect(ark.create()).rejects.toThrow();
    expect(sim.createCount()).toBe(1);
    const entry = sim.requests[0];
    expect(entry).toMatchObject({ kind: 'create', status: 0, fault: 'dropResponse' });
    expect((await ark.task(entry?.taskId ?? '')).status).toBe('queued');
  });

  it('on delete: the task is cancelled, the client hears nothing', async () => {
    const id = await ark.createId();
    sim.inject({ target: 'delete', kind: 'dropResponse' });
    await expect(ark.delete(id)).rejects.toThrow();
    expect((await ark.task(id)).status).toBe('cancelled');
  });
});

describe('file faults in the ModelArk mode', () => {
  it('reset on the video, then a Range resume completes it', async () => {
    const { video } = await succeeded();
    sim.inject({ kind: 'reset', afterBytes: 40_000 });
    const first = await rawGet(video);
    expect(first).toMatchObject({ status: 200, complete: false, error: 'ECONNRESET' });
    const rest = await rawGet(video, { Range: `bytes=${first.body.length}-` });
    expect(rest.status).toBe(206);
    expect(Buffer.concat([first.body, rest.body]).equals(sim.video)).toBe(true);
  });

  it('ignoreRange, changeEtag, truncatedMp4 and expired (410) on the video', async () => {
    const { video } = await succeeded();
    sim.inject({ kind: 'ignoreRange' });
    const full = await rawGet(video, { Range: 'bytes=100-' });
    expect(full.status).toBe(200);
    expect(full.body.equals(sim.video)).toBe(true);

    const before = sim.videoSha256;
    sim.inject({ kind: 'changeEtag' });
    const changed = await rawGet(video, { Range: 'bytes=100-', 'If-Range': `"${before.slice(0, 16)}"` });
    expect(changed.status).toBe(200);
    expect(sim.videoSha256).not.toBe(before);

    sim.inject({ kind: 'truncatedMp4' });
    expect(topLevelBoxes((await rawGet(video)).body).map((b) => b.type)).not.toContain('moov');

    sim.inject({ kind: 'expired', code: 410 });
    expect((await rawGet(video)).status).toBe(410);
    expect((await rawGet(video)).status).toBe(200);
  });

  it('expired and fin on the last frame; MP4-only faults cannot target it', async () => {
    const { frame } = await succeeded();
    sim.inject({ target: 'lastFrame', kind: 'expired' });
    const expired = await rawGet(frame);
    expect(expired.status).toBe(403);
    expect(expired.body.toString()).toContain('Request has expired');
    sim.inject({ target: 'lastFrame', kind: 'fin', afterBytes: 100 });
    const cut = await rawGet(frame);
    expect(cut).toMatchObject({ status: 200, complete: false });
    expect(cut.body.length).toBe(100);
    const whole = await rawGet(frame, { Range: 'bytes=100-' });
    expect(whole.status).toBe(206);
    expect(whole.headers['content-type']).toBe('image/png');
    expect(() => sim.inject({ target: 'lastFrame', kind: 'changeEtag' })).toThrow(/cannot target lastFrame/);
    expect(() => sim.inject({ target: 'lastFrame', kind: 'notMp4' })).toThrow();
    expect(() => sim.inject({ target: 'status' as 'create', kind: 'dropResponse' })).toThrow();
  });
});
