import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createSimulator,
  FLEX_FACTOR,
  REALTIME_PROFILE,
  resolveTiming,
  topLevelBoxes,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator';

const KEY = 'test-key';
const AUTH = { Authorization: `Bearer ${KEY}` };
const START = Date.UTC(2026, 0, 1);
const DAY = 24 * 60 * 60 * 1000;
const PROMPT = { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: 'a cat on a skateboard' }] };

let sim: Simulator;
let now: number;

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  // An async clock, like the time-skipping server's currentTimeMs().
  sim = await createSimulator({ apiKey: KEY, clock: async () => now, ...options });
  return sim;
}

beforeEach(async () => {
  now = START;
  await start();
});

afterEach(async () => {
  await sim.close();
});

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function create(body: unknown = PROMPT, headers: Record<string, string> = AUTH): Promise<Response> {
  return fetch(`${sim.url}/v1/seedance/videos`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function query(id: string, headers: Record<string, string> = AUTH): Promise<Response> {
  return fetch(`${sim.url}/v1/result/${id}`, { headers });
}

/** A completed task and a fresh signed URL for it. */
async function completedVideoUrl(): Promise<{ id: string; url: string }> {
  const task = await sim.addTask({ createdMs: now - 60_000 });
  const body = (await (await query(task.id)).json()) as { video_url: string };
  return { id: task.id, url: body.video_url };
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  complete: boolean;
  error?: string;
}

/** A plain node:http GET that reports what arrived even when the connection breaks. */
function rawGet(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let responded = false;
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      let error: string | undefined;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          complete: res.complete,
          ...(error ? { error } : {}),
        }),
      );
    });
    req.on('error', (e) => (responded ? undefined : reject(e))); // after the headers, `res` reports it
    req.end();
  });
}

/** Resolves with the headers, then checks how many body bytes arrive within `ms`. */
function headersThenSilence(url: string, ms: number): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('error', () => undefined);
      setTimeout(() => {
        resolve({ status: res.statusCode ?? 0, bytes });
        req.destroy();
      }, ms);
    });
    req.on('error', reject);
  });
}

describe('auth and validation', () => {
  it('refuses a missing or wrong key on create and query with a 401 JSON error', async () => {
    const missing = await create(PROMPT, {});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 401, type: 'authentication_error' } });
    expect((await create(PROMPT, { Authorization: 'Bearer nope' })).status).toBe(401);
    const task = await sim.addTask();
    expect((await query(task.id, {})).status).toBe(401);
    expect((await query(task.id, { Authorization: KEY })).status).toBe(401);
    expect(sim.requests.map((r) => r.authorization)).toEqual(['missing', 'wrong', 'missing', 'wrong']);
    expect(sim.createCount()).toBe(0);
  });

  it('answers 400 invalid_request_error to bodies the schema refuses', async () => {
    const bad = await create({ model: 'seedance_1_5_pro_480p', content: [] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 400, type: 'invalid_request_error' } });
    expect((await create({ ...PROMPT, duration: 3 })).status).toBe(400);
    expect((await create({ ...PROMPT, extra: true })).status).toBe(400);
    const notJson = await fetch(`${sim.url}/v1/seedance/videos`, { method: 'POST', headers: AUTH, body: '{' });
    expect(notJson.status).toBe(400);
    expect(sim.createCount()).toBe(0);
  });

  it('answers 404 to unknown tasks and 400 to ids that are not a safe token', async () => {
    const unknown = await query('video_000000');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 404, type: 'not_found_error' } });
    expect((await query('bad.id')).status).toBe(400);
    expect((await query('a%20b')).status).toBe(400);
    expect((await query('-leading')).status).toBe(400);
    expect((await fetch(`${sim.url}/v1/nothing`, { headers: AUTH })).status).toBe(404);
    expect((await fetch(`${sim.url}/v1/seedance/videos`, { headers: AUTH })).status).toBe(405);
  });
});

describe('task lifecycle through the clock', () => {
  it('times a created task by its request when timingFor answers, by the profile otherwise', async () => {
    await sim.close();
    const asked: { model: string; prompt: string }[] = [];
    await start({
      timingFor: (request) => {
        asked.push(request);
        return request.prompt === 'slow one' ? { queuedMs: 10_000, renderMs: 90_000 } : undefined;
      },
    });
    const slow = (await (await create({ ...PROMPT, content: [{ type: 'text', text: 'slow one' }] })).json()) as {
      id: string;
    };
    const usual = (await (await create()).json()) as { id: string };
    expect(asked).toEqual([
      { model: PROMPT.model, prompt: 'slow one' },
      { model: PROMPT.model, prompt: 'a cat on a skateboard' },
    ]);
    const status = async (id: string) => ((await (await query(id)).json()) as { status: string }).status;
    now += 12_000; // the fast profile's 480p is done by now; the slow one renders from 10 s to 100 s
    expect(await status(usual.id)).toBe('completed');
    expect(await status(slow.id)).toBe('processing');
    now += 88_000;
    expect(await status(slow.id)).toBe('completed');
  });

  it('goes queued -> processing -> completed and serves the video without the API key', async () => {
    const created = await create({ ...PROMPT, duration: -1 });
    expect(created.status).toBe(200);
    const task = (await created.json()) as { id: string; created: number; status: string };
    expect(task).toMatchObject({
      object: 'video',
      model: PROMPT.model,
      status: 'queued',
      created: Math.floor(START / 1000),
    });
    expect(task.id).toMatch(/^video_[0-9a-f]+$/);
    expect(sim.createCount()).toBe(1);

    const read = async () => (await (await query(task.id)).json()) as Record<string, unknown>;
    expect(await read()).toMatchObject({ status: 'queued', video_url: null, actualDuration: null, error: null });
    now += 1000; // fast 480p: 1 s queued + 2 s render
    expect(await read()).toMatchObject({ status: 'processing', video_url: null, error: null });
    now += 2000;
    const done = await read();
    expect(done).toMatchObject({ status: 'completed', actualDuration: 8, error: null });

    const video = await fetch(String(done.video_url));
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    expect(video.headers.get('accept-ranges')).toBe('bytes');
    expect(video.headers.get('etag')).toBe(`"${sim.videoSha256.slice(0, 16)}"`);
    expect(Number(video.headers.get('content-length'))).toBe(sim.video.length);
    expect(sha256(Buffer.from(await video.arrayBuffer()))).toBe(sim.videoSha256);

    const file = sim.requests.find((r) => r.kind === 'video');
    expect(file).toMatchObject({
      path: `/files/${task.id}.mp4`,
      status: 200,
      authorization: 'missing',
      bytesServed: sim.video.length,
      taskId: task.id,
    });
    expect(sim.requests.every((r) => !r.path.includes('?'))).toBe(true);
  });

  it('reports failed and cancelled outcomes, and setOutcome changes a pending task', async () => {
    const failed = await sim.addTask({
      outcome: 'failed',
      error: 'content policy',
      timing: { queuedMs: 0, renderMs: 10 },
    });
    const cancelled = await sim.addTask({ outcome: 'cancelled', timing: { queuedMs: 0, renderMs: 10 } });
    const pending = await sim.addTask({ timing: { queuedMs: 0, renderMs: 10 } });
    sim.setOutcome(pending.id, 'failed');
    now += 10;
    expect(await (await query(failed.id)).json()).toMatchObject({
      status: 'failed',
      error: 'content policy',
      video_url: null,
    });
    expect(await (await query(cancelled.id)).json()).toMatchObject({
      status: 'cancelled',
      error: null,
      video_url: null,
    });
    expect(await (await query(pending.id)).json()).toMatchObject({ status: 'failed', error: expect.any(String) });
  });

  it('forgets tasks after retention and refuses expired or forged video URLs', async () => {
    const { id, url } = await completedVideoUrl();
    const forged = url.replace(/sig=([0-9a-f])/, (_m, c: string) => `sig=${c === '0' ? '1' : '0'}`);
    expect((await fetch(forged)).status).toBe(403);
    now += DAY + 1; // past both the URL lifetime and the retention
    expect((await fetch(url)).status).toBe(403);
    expect((await query(id)).status).toBe(404);
  });

  it('hands out a fresh URL on each status read that expires urlTtlMs after that read', async () => {
    await sim.close();
    await start({ urlTtlMs: 1000 });
    const { id, url } = await completedVideoUrl();
    now += 1001;
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
    const fresh = ((await (await query(id)).json()) as { video_url: string }).video_url;
    expect(fresh).not.toBe(url);
    expect((await fetch(fresh)).status).toBe(200);
  });

  it('accepts unknown models with a default timing; flex takes about three times as long', async () => {
    const res = await create({ ...PROMPT, model: 'seedance_2_0_pro_4k', service_tier: 'flex' });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    expect(sim.getTask(id)?.timing).toEqual({ queuedMs: 1000 * FLEX_FACTOR, renderMs: 3000 * FLEX_FACTOR });
    const realtime = resolveTiming('realtime', 'seedance_1_5_pro_720p');
    expect(realtime.queuedMs + realtime.renderMs).toBe(210_000);
    expect(REALTIME_PROFILE.seedance_1_5_pro_480p.queuedMs + REALTIME_PROFILE.seedance_1_5_pro_480p.renderMs).toBe(
      60_000,
    );
  });

  it('calls onRequest once per finished exchange', async () => {
    const seen: string[] = [];
    sim.onRequest = (e) => seen.push(`${e.kind} ${e.status}`);
    await (await query('video_x')).text();
    expect(seen).toEqual(['status 404']);
  });
});

describe('Range, If-Range, HEAD', () => {
  it('serves 206 with Content-Range for bytes=N- and bytes=N-M', async () => {
    const { url } = await completedVideoUrl();
    const total = sim.video.length;
    const open = await rawGet(url, { Range: 'bytes=1000-' });
    expect(open.status).toBe(206);
    expect(open.headers['content-range']).toBe(`bytes 1000-${total - 1}/${total}`);
    expect(open.body.equals(sim.video.subarray(1000))).toBe(true);
    const closed = await rawGet(url, { Range: 'bytes=10-19' });
    expect(closed.headers['content-range']).toBe(`bytes 10-19/${total}`);
    expect(closed.body.equals(sim.video.subarray(10, 20))).toBe(true);
    expect(sim.requests.filter((r) => r.kind === 'video').map((r) => [r.range, r.bytesServed])).toEqual([
      ['bytes=1000-', total - 1000],
      ['bytes=10-19', 10],
    ]);
  });

  it('honours If-Range only with the current strong ETag', async () => {
    const { url } = await completedVideoUrl();
    const etag = `"${sim.videoSha256.slice(0, 16)}"`;
    expect((await rawGet(url, { Range: 'bytes=5-', 'If-Range': etag })).status).toBe(206);
    const stale = await rawGet(url, { Range: 'bytes=5-', 'If-Range': '"0000000000000000"' });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(sim.video)).toBe(true);
    expect(sim.requests.at(-1)?.ifRange).toBe('"0000000000000000"');
  });

  it('answers 416 with bytes */total when the start is at or past the end', async () => {
    const { url } = await completedVideoUrl();
    const total = sim.video.length;
    const res = await rawGet(url, { Range: `bytes=${total}-` });
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe(`bytes */${total}`);
    expect(res.body.length).toBe(0);
    expect(sim.requests.at(-1)?.bytesServed).toBe(0);
  });

  it('answers HEAD with the headers only, and 412 to a failed If-Match', async () => {
    const { url } = await completedVideoUrl();
    const head = await rawGet(url, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(sim.video.length);
    expect(head.body.length).toBe(0);
    expect((await rawGet(url, { 'If-Match': '"nope"' })).status).toBe(412);
  });
});

describe('faults', () => {
  it('status: forced codes with HTML or JSON bodies, counted against times', async () => {
    sim.inject({ target: 'status', kind: 'status', code: 503, body: 'html', times: 2 });
    sim.inject({ target: 'create', kind: 'status', code: 500 });
    const task = await sim.addTask();
    for (let i = 0; i < 2; i++) {
      const res = await query(task.id);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('text/html');
      expect(await res.text()).toContain('<h1>503 Service Unavailable</h1>');
    }
    expect((await query(task.id)).status).toBe(200);
    const res = await create();
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { code: 500, type: 'server_error' } });
    expect(sim.createCount()).toBe(0);
    expect(sim.requests.map((r) => r.fault)).toEqual(['status', 'status', undefined, 'status']);
  });

  it('rateLimit: 429 with Retry-After', async () => {
    sim.inject({ target: 'status', kind: 'rateLimit', retryAfterSeconds: 7 });
    const res = await query('video_abc');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toMatchObject({ error: { code: 429, type: 'rate_limit_error' } });
  });

  it('malformed: 200 with invalid JSON or a body that is not the schema', async () => {
    sim.inject({ target: 'create', kind: 'malformed' });
    sim.inject({ target: 'status', kind: 'malformed', body: 'wrongSchema' });
    const created = await create();
    expect(created.status).toBe(200);
    await expect(created.json()).rejects.toThrow();
    const status = await query('video_abc');
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ id: 42 });
  });

  it('dropResponse: the task is created and the connection closes without an answer', async () => {
    sim.inject({ kind: 'dropResponse' });
    await expect(create()).rejects.toThrow();
    expect(sim.createCount()).toBe(1);
    const entry = sim.requests[0];
    expect(entry).toMatchObject({ kind: 'create', status: 0, fault: 'dropResponse' });
    expect(sim.getTask(entry?.taskId ?? '')).toBeDefined();
    expect((await create()).status).toBe(200);
    expect(sim.createCount()).toBe(2);
  });

  it('reset: the connection is reset after N body bytes, twice', async () => {
    const { url } = await completedVideoUrl();
    sim.inject({ kind: 'reset', afterBytes: 40_000, times: 2 });
    const first = await rawGet(url);
    expect(first).toMatchObject({ status: 200, complete: false, error: 'ECONNRESET' });
    expect(first.body.length).toBe(40_000);
    const second = await rawGet(url, { Range: 'bytes=40000-' });
    expect(second.status).toBe(206);
    expect(second.body.equals(sim.video.subarray(40_000, 80_000))).toBe(true);
    const third = await rawGet(url, { Range: 'bytes=80000-' });
    expect(third.complete).toBe(true);
    expect(Buffer.concat([first.body, second.body, third.body]).equals(sim.video)).toBe(true);
    expect(sim.requests.filter((r) => r.kind === 'video').map((r) => r.bytesServed)).toEqual([
      40_000,
      40_000,
      sim.video.length - 80_000,
    ]);
  });

  it('fin: a clean close before Content-Length', async () => {
    const { url } = await completedVideoUrl();
    sim.inject({ kind: 'fin', afterBytes: 120_000 });
    const res = await rawGet(url);
    expect(res.status).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(sim.video.length);
    expect(res.complete).toBe(false);
    expect(res.body.equals(sim.video.subarray(0, 120_000))).toBe(true);
    expect(sim.requests.at(-1)).toMatchObject({ fault: 'fin', complete: false });
  });

  it('stall: headers then silence', async () => {
    const { url } = await completedVideoUrl();
    sim.inject({ kind: 'stall', afterBytes: 1000 });
    expect(await headersThenSilence(url, 150)).toEqual({ status: 200, bytes: 1000 });
  });

  it('trickle and throttle: the body arrives whole, slowly, with bytesServed live', async () => {
    const { url } = await completedVideoUrl();
    const total = sim.video.length;
    sim.inject({ kind: 'trickle', bytesPerInterval: Math.ceil(total / 4), intervalMs: 40 });
    let t0 = performance.now();
    const trickled = await rawGet(url);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
    expect(trickled.body.equals(sim.video)).toBe(true);

    sim.inject({ kind: 'throttle', bytesPerSecond: total * 4, persistent: true }); // ~250 ms per download
    t0 = performance.now();
    const pending = rawGet(url);
    await new Promise((r) => setTimeout(r, 120));
    const live = sim.requests.at(-1)?.bytesServed ?? 0;
    expect(live).toBeGreaterThan(0);
    expect(live).toBeLessThan(total);
    expect((await pending).body.equals(sim.video)).toBe(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200);
    expect(sim.requests.at(-1)?.fault).toBe('throttle');
    sim.clearFaults();
    expect((await rawGet(url)).body.length).toBe(total);
    expect(sim.requests.at(-1)?.fault).toBeUndefined();
  });

  it('ignoreRange: 200 with the full body to a ranged request', async () => {
    const { url } = await completedVideoUrl();
    sim.inject({ kind: 'ignoreRange' });
    const res = await rawGet(url, { Range: 'bytes=100-' });
    expect(res.status).toBe(200);
    expect(res.body.equals(sim.video)).toBe(true);
  });

  it('changeEtag: the file changes to another valid MP4 with a new ETag and sha256', async () => {
    const { url } = await completedVideoUrl();
    const before = { sha: sim.videoSha256, etag: `"${sim.videoSha256.slice(0, 16)}"` };
    sim.inject({ kind: 'changeEtag' });
    const res = await rawGet(url, { Range: 'bytes=100-', 'If-Range': before.etag });
    expect(res.status).toBe(200);
    expect(sim.videoSha256).not.toBe(before.sha);
    expect(res.headers.etag).toBe(`"${sim.videoSha256.slice(0, 16)}"`);
    expect(sha256(res.body)).toBe(sim.videoSha256);
    const boxes = topLevelBoxes(res.body);
    expect(boxes[0]?.type).toBe('ftyp');
    expect(boxes.reduce((n, b) => n + b.size, 0)).toBe(res.body.length);
    expect(boxes.map((b) => b.type)).toEqual(expect.arrayContaining(['moov', 'mdat']));
  });

  it('expired: 403 or 410 from the file host even with a valid signature', async () => {
    const { url } = await completedVideoUrl();
    sim.inject({ kind: 'expired' });
    sim.inject({ kind: 'expired', code: 410 });
    expect((await fetch(url)).status).toBe(403);
    expect((await fetch(url)).status).toBe(410);
    expect((await fetch(url)).status).toBe(200);
  });

  it('notMp4 and truncatedMp4: an HTML page as video/mp4, an MP4 without moov', async () => {
    const { url } = await completedVideoUrl();
    sim.inject({ kind: 'notMp4' });
    sim.inject({ kind: 'truncatedMp4' });
    const html = await rawGet(url);
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toBe('video/mp4');
    expect(html.body.toString()).toContain('<html>');
    const truncated = await rawGet(url);
    const types = topLevelBoxes(truncated.body).map((b) => b.type);
    expect(types).toContain('mdat');
    expect(types).not.toContain('moov');
  });

  it('oversize and chunkedOversize: a huge Content-Length; chunked without one', async () => {
    const { url } = await completedVideoUrl();
    sim.inject({ kind: 'oversize', declaredBytes: 50 * 1024 ** 3 });
    sim.inject({ kind: 'chunkedOversize', totalBytes: 3 * 1024 * 1024 });
    const declared = await rawGet(url);
    expect(declared.headers['content-length']).toBe(String(50 * 1024 ** 3));
    expect(declared.complete).toBe(false);
    const chunked = await rawGet(url);
    expect(chunked.headers['content-length']).toBeUndefined();
    expect(chunked.headers['transfer-encoding']).toBe('chunked');
    expect(chunked.body.length).toBe(3 * 1024 * 1024);
  });

  it('refuses video-only faults on other targets', () => {
    expect(() => sim.inject({ kind: 'reset', afterBytes: 1, target: 'status' as 'video' })).toThrow();
    expect(() => sim.inject({ kind: 'hang', target: 'status', times: 0 })).toThrow();
  });
});

describe('hang', () => {
  it('never answers; the client times out and close() ends the exchange', async () => {
    sim.inject({ target: 'status', kind: 'hang' });
    await expect(
      fetch(`${sim.url}/v1/result/video_abc`, { headers: AUTH, signal: AbortSignal.timeout(150) }),
    ).rejects.toThrow();
    expect(sim.requests[0]).toMatchObject({ kind: 'status', status: 0, fault: 'hang' });
  });
});

describe('persistence and the CLI', () => {
  it('a restarted simulator with the same state file knows its tasks and URLs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sim-state-'));
    try {
      await sim.close();
      const stateFile = path.join(dir, 'state.json');
      await start({ stateFile });
      const { id, url } = await completedVideoUrl();
      const port = new URL(sim.url).port;
      await sim.close();
      await start({ stateFile, port: Number(port) });
      expect(sim.getTask(id)).toBeDefined();
      expect((await query(id)).status).toBe(200);
      expect((await fetch(url)).status).toBe(200);
      expect(sim.requests).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('main.ts prints its URL, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../src/simulator/main.ts')], {
      env: { ...process.env, SIMULATOR_PORT: '0', SIMULATOR_API_KEY: 'cli-key' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      child.once('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    const match = /^simulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
    expect(match).not.toBeNull();
    const res = await fetch(`${match?.[1]}/v1/result/video_abc`, { headers: { Authorization: 'Bearer cli-key' } });
    expect(res.status).toBe(404);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
