/**
 * The receiver over real HTTP with a recording fake signaler (the Temporal signaler has its own
 * test against a real dev server in temporal-signaler.test.ts).
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { signedCallbackUrl } from '../../src/callbacks/callback-url';
import type { CallbackLogger } from '../../src/callbacks/relay';
import {
  startCallbackReceiver,
  type CallbackReceiver,
  type CallbackReceiverOptions,
} from '../../src/callbacks/receiver';
import type { CallbackSignaler, SignalOutcome } from '../../src/callbacks/signaler';
import type { CheckNowInput } from '../../src/contract/types';

const SECRET = 'receiver-test-secret-0123456789abcdef';
const TASK = 'cgt-20260828062711-hj94q';

/** Records every signal; answers `sent` for the workflows in `running`, `not-found` for the rest. */
class RecordingSignaler implements CallbackSignaler {
  readonly calls: Array<{ workflowId: string; input: CheckNowInput }> = [];
  readonly running = new Set<string>();
  /** When set, Temporal is "unreachable": signals throw. */
  down = false;
  /** When set, signals wait for it (to hold them in flight). */
  gate: Promise<void> | undefined;

  async signal(workflowId: string, input: CheckNowInput): Promise<SignalOutcome> {
    this.calls.push({ workflowId, input });
    if (this.gate) await this.gate;
    if (this.down) throw new Error('14 UNAVAILABLE: No connection established');
    return this.running.has(workflowId) ? 'sent' : 'not-found';
  }
}

interface LogLine {
  level: string;
  message: string;
  meta: unknown;
}

let receiver: CallbackReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function start(options: Partial<CallbackReceiverOptions> = {}) {
  const signaler = new RecordingSignaler();
  const logs: LogLine[] = [];
  const logger: CallbackLogger = {
    debug: (message, meta) => logs.push({ level: 'debug', message, meta }),
    info: (message, meta) => logs.push({ level: 'info', message, meta }),
    warn: (message, meta) => logs.push({ level: 'warn', message, meta }),
  };
  receiver = await startCallbackReceiver({ host: '127.0.0.1', port: 0, secret: SECRET, signaler, logger, ...options });
  return { receiver, signaler, logs };
}

async function post(url: string, body: unknown, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
  return { status: response.status, text: await response.text() };
}

const task = (status: string, id = TASK) => ({ id, model: 'seedance-1-5-pro-251215', status, created_at: 1787869631 });

describe('callback receiver', () => {
  it('signals the workflow a signed callback URL names', async () => {
    const { receiver, signaler } = await start();
    signaler.running.add('my-video-42');
    const response = await post(signedCallbackUrl(receiver.url, 'my-video-42', SECRET), task('succeeded'));
    expect(response).toEqual({ status: 200, text: 'ok\n' });
    expect(signaler.calls).toEqual([
      { workflowId: 'my-video-42', input: { source: 'callback', taskId: TASK, status: 'completed' } },
    ]);
    expect(receiver.stats).toMatchObject({ received: 1, signalled: 1, badSignatures: 0 });
  });

  it('signals seedance-<taskId> when the URL is not signed', async () => {
    const { receiver, signaler } = await start();
    signaler.running.add(`seedance-${TASK}`);
    expect((await post(receiver.url, task('failed'))).status).toBe(200);
    expect(signaler.calls).toEqual([
      { workflowId: `seedance-${TASK}`, input: { source: 'callback', taskId: TASK, status: 'failed' } },
    ]);
  });

  it('falls back to seedance-<taskId> for a forged signature, and counts it', async () => {
    const { receiver, signaler } = await start();
    const forged = signedCallbackUrl(receiver.url, 'victim-workflow', 'not-the-fleet-secret-0123456789');
    expect((await post(forged, task('succeeded'))).status).toBe(200);
    expect(signaler.calls.map((c) => c.workflowId)).toEqual([`seedance-${TASK}`]);
    expect(receiver.stats.badSignatures).toBe(1);
  });

  it('answers 200 for a workflow that does not exist, exactly as for one that does, and counts it', async () => {
    const { receiver, signaler } = await start();
    signaler.running.add('seedance-cgt-exists');
    const known = await post(receiver.url, task('succeeded', 'cgt-exists'));
    const unknown = await post(receiver.url, task('succeeded', 'cgt-unknown'));
    expect(unknown).toEqual(known);
    expect(receiver.stats).toMatchObject({ signalled: 1, notFound: 1 });
  });

  it('answers 503 while Temporal is unreachable, and relays the provider retry once it is back', async () => {
    const { receiver, signaler, logs } = await start();
    signaler.running.add(`seedance-${TASK}`);
    signaler.down = true;
    expect(await post(receiver.url, task('succeeded'))).toEqual({ status: 503, text: 'try again later\n' });
    signaler.down = false;
    expect((await post(receiver.url, task('succeeded'))).status).toBe(200);
    expect(signaler.calls).toHaveLength(2);
    expect(receiver.stats).toMatchObject({ unavailable: 1, signalled: 1, deduplicated: 0 });
    expect(logs.find((l) => l.level === 'warn')?.meta).toMatchObject({
      workflowId: `seedance-${TASK}`,
      taskId: TASK,
      status: 'completed',
      error: expect.stringContaining('UNAVAILABLE'),
    });
  });

  it('acknowledges queued and running callbacks without a signal', async () => {
    const { receiver, signaler } = await start();
    expect((await post(receiver.url, task('queued'))).status).toBe(200);
    expect((await post(receiver.url, task('running'))).status).toBe(200);
    expect(signaler.calls).toEqual([]);
    expect(receiver.stats.dropped).toBe(2);
  });

  it('sends one signal for a flood of 100 identical callbacks, concurrent or not', async () => {
    const { receiver, signaler } = await start();
    signaler.running.add(`seedance-${TASK}`);
    let open!: () => void;
    signaler.gate = new Promise((resolve) => (open = resolve));
    const concurrent = Array.from({ length: 100 }, () => post(receiver.url, task('succeeded')));
    await new Promise((resolve) => setTimeout(resolve, 200));
    open();
    const answers = await Promise.all(concurrent);
    for (let i = 0; i < 100; i++) answers.push(await post(receiver.url, task('succeeded')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(signaler.calls).toHaveLength(1);
    expect(receiver.stats).toMatchObject({ received: 200, signalled: 1, deduplicated: 199 });
  });

  it('signals again for another status, and for the same one after the window', async () => {
    let nowMs = 0;
    const { receiver, signaler } = await start({ dedupeWindowMs: 5_000, now: () => nowMs });
    await post(receiver.url, task('succeeded'));
    await post(receiver.url, task('failed'));
    nowMs = 4_999;
    await post(receiver.url, task('succeeded'));
    nowMs = 5_100;
    await post(receiver.url, task('succeeded'));
    expect(signaler.calls.map((c) => c.input.status)).toEqual(['completed', 'failed', 'completed']);
  });

  it('answers 503 beyond maxConcurrentSignals in flight, without calling Temporal', async () => {
    const { receiver, signaler } = await start({ maxConcurrentSignals: 2 });
    let open!: () => void;
    signaler.gate = new Promise((resolve) => (open = resolve));
    const held = [post(receiver.url, task('succeeded', 'cgt-a')), post(receiver.url, task('succeeded', 'cgt-b'))];
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await post(receiver.url, task('succeeded', 'cgt-c'))).status).toBe(503);
    open();
    expect((await Promise.all(held)).map((a) => a.status)).toEqual([200, 200]);
    expect(signaler.calls).toHaveLength(2);
    expect(receiver.stats.overloaded).toBe(1);
  });

  it.each([
    ['not JSON', '{"id": "cgt-1", ', 'the body is not JSON'],
    ['an invalid task id', task('succeeded', '../../etc/passwd'), '"id" is not a task id'],
    ['an unknown status', task('done'), '"status" is not one of'],
    ['a JSON array', '[1, 2]', 'not a JSON object'],
  ])('answers 400 to a body with %s, and signals nothing', async (_, body, problem) => {
    const { receiver, signaler } = await start();
    const response = await post(receiver.url, body);
    expect(response.status).toBe(400);
    expect(response.text).toContain(problem);
    expect(signaler.calls).toEqual([]);
    expect(receiver.stats.rejected).toBe(1);
  });

  it('refuses other methods (405) and other paths (404)', async () => {
    const { receiver, signaler } = await start();
    const get = await fetch(receiver.url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await post(receiver.url.replace('/seedance/callback', '/other'), task('succeeded'))).status).toBe(404);
    expect((await post(`${receiver.url}/`, task('succeeded'))).status).toBe(404);
    expect((await post(receiver.url, task('succeeded'), { method: 'PUT' })).status).toBe(405);
    expect(signaler.calls).toEqual([]);
    expect(receiver.stats.rejected).toBe(4);
  });

  it('serves the configured path only', async () => {
    const { receiver, signaler } = await start({ path: '/hooks/modelark' });
    expect(receiver.url).toMatch(/\/hooks\/modelark$/);
    expect((await post(receiver.url, task('succeeded'))).status).toBe(200);
    expect((await post(receiver.url.replace('/hooks/modelark', '/seedance/callback'), task('succeeded'))).status).toBe(
      404,
    );
    expect(signaler.calls).toHaveLength(1);
  });

  it('takes a body of 64 KiB and refuses a larger one with 413, declared or streamed', async () => {
    const { receiver, signaler } = await start();
    const json = JSON.stringify(task('succeeded'));
    const exactly = json + ' '.repeat(64 * 1024 - json.length);
    expect((await post(receiver.url, exactly)).status).toBe(200);
    expect((await post(receiver.url, `${exactly} `)).status).toBe(413);
    const streamed = await rawPost(receiver.url, [json, ' '.repeat(40 * 1024), ' '.repeat(40 * 1024)]);
    expect(streamed).toBe(413);
    expect(signaler.calls).toHaveLength(1);
    expect(receiver.stats.rejected).toBe(2);
  });

  it('answers 408 to a body that does not arrive in time', async () => {
    const { receiver, signaler } = await start({ bodyTimeoutMs: 200 });
    const started = Date.now();
    expect(await rawPost(receiver.url, ['{"id": "cgt-1", '], { contentLength: 100, keepOpen: true })).toBe(408);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(signaler.calls).toEqual([]);
  });

  it('logs workflow, task, status and outcome, never the signature or the secret', async () => {
    const { receiver, signaler, logs } = await start();
    signaler.running.add('my-video-42');
    const url = signedCallbackUrl(receiver.url, 'my-video-42', SECRET);
    await post(url, task('succeeded'));
    await post(signedCallbackUrl(receiver.url, 'victim', 'forger-secret-0123456789'), task('failed', 'cgt-x'));
    await post(url, 'not json');
    expect(logs.find((l) => l.level === 'info')?.meta).toEqual({
      workflowId: 'my-video-42',
      taskId: TASK,
      status: 'completed',
      route: 'signed-url',
      badSignature: false,
      outcome: 'signalled',
    });
    const text = JSON.stringify(logs);
    expect(text).not.toContain(new URL(url).searchParams.get('sig'));
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('forger-secret');
    expect(text).not.toContain('victim');
  });

  it('stops accepting connections on close()', async () => {
    const { receiver } = await start();
    const { url } = receiver;
    await receiver.close();
    await expect(post(url, task('succeeded'))).rejects.toThrow();
  });
});

/**
 * A POST through node:http, for what fetch cannot send: a chunked body streamed piece by piece, or
 * a body that stops before its declared length. Resolves the response status.
 */
function rawPost(
  url: string,
  chunks: string[],
  options: { contentLength?: number; keepOpen?: boolean } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (options.contentLength !== undefined) headers['content-length'] = options.contentLength;
    const req = request(url, { method: 'POST', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    const write = (i: number) => {
      if (i === chunks.length) {
        if (!options.keepOpen) req.end();
        return;
      }
      req.write(chunks[i], () => setTimeout(() => write(i + 1), 10));
    };
    write(0);
  });
}
