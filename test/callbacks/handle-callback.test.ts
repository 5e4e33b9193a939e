import { describe, expect, it } from 'vitest';
import { signedCallbackUrl } from '../../src/callbacks/callback-url';
import { handleCallback, type AcceptedCallback } from '../../src/callbacks/handle-callback';

const SECRET = 'callback-secret-for-tests-0123456789';
const TASK = 'cgt-20260828062711-hj94q';

function queryOf(url: string): URLSearchParams {
  return new URL(url).searchParams;
}

function accepted(body: unknown, query = new URLSearchParams()): AcceptedCallback {
  const decision = handleCallback({ query, body }, { secret: SECRET });
  if (decision.httpStatus !== 200) throw new Error(`expected 200, got 400: ${decision.problem}`);
  return decision;
}

describe('handleCallback', () => {
  it('signals seedance-<taskId> when the URL carries no signed workflow id', () => {
    expect(accepted({ id: TASK, status: 'succeeded', model: 'x', content: { video_url: 'https://v' } })).toEqual({
      httpStatus: 200,
      workflowId: `seedance-${TASK}`,
      route: 'task-id',
      badSignature: false,
      taskId: TASK,
      status: 'completed',
      signal: { workflowId: `seedance-${TASK}`, input: { source: 'callback', taskId: TASK, status: 'completed' } },
    });
  });

  it('signals the workflow a validly signed URL names', () => {
    const query = queryOf(signedCallbackUrl('https://hooks.example.com/seedance/callback', 'my-video-42', SECRET));
    const decision = accepted({ id: TASK, status: 'failed' }, query);
    expect(decision.route).toBe('signed-url');
    expect(decision.signal).toEqual({
      workflowId: 'my-video-42',
      input: { source: 'callback', taskId: TASK, status: 'failed' },
    });
  });

  it('falls back to seedance-<taskId> when the signature is forged or made with another key', () => {
    const forged = queryOf(signedCallbackUrl('https://h/cb', 'victim-workflow', 'another-secret-0123456789'));
    const tampered = queryOf(signedCallbackUrl('https://h/cb', 'my-video-42', SECRET));
    tampered.set('workflowId', 'victim-workflow');
    for (const query of [forged, tampered]) {
      const decision = accepted({ id: TASK, status: 'succeeded' }, query);
      expect(decision).toMatchObject({ workflowId: `seedance-${TASK}`, route: 'task-id', badSignature: true });
      expect(decision.signal?.workflowId).toBe(`seedance-${TASK}`);
    }
  });

  it.each([
    ['succeeded', 'completed'],
    ['failed', 'failed'],
    ['expired', 'expired'],
    ['cancelled', 'cancelled'],
  ] as const)('maps %s to %s and signals', (providerStatus, status) => {
    expect(accepted({ id: TASK, status: providerStatus }).signal?.input.status).toBe(status);
  });

  it.each([
    ['queued', 'queued'],
    ['running', 'processing'],
  ] as const)('acknowledges %s without a signal (nothing for the workflow to check)', (providerStatus, status) => {
    const decision = accepted({ id: TASK, status: providerStatus });
    expect(decision.status).toBe(status);
    expect(decision.signal).toBeUndefined();
  });

  it.each([
    ['a JSON array', [TASK], 'not a JSON object'],
    ['null', null, 'not a JSON object'],
    ['a string', 'succeeded', 'not a JSON object'],
    ['no id', { status: 'succeeded' }, '"id" is not a task id'],
    ['an id with a slash', { id: '../admin', status: 'succeeded' }, '"id" is not a task id'],
    ['an id of 129 characters', { id: 'a'.repeat(129), status: 'succeeded' }, '"id" is not a task id'],
    ['a numeric id', { id: 42, status: 'succeeded' }, '"id" is not a task id'],
    ['the package word for a status', { id: TASK, status: 'completed' }, '"status" is not one of'],
    ['no status', { id: TASK }, '"status" is not one of'],
  ])('rejects a body with %s (400, no signal)', (_, body, problem) => {
    const decision = handleCallback({ query: new URLSearchParams(), body }, { secret: SECRET });
    expect(decision.httpStatus).toBe(400);
    expect(decision).not.toHaveProperty('signal');
    expect(decision.httpStatus === 400 && decision.problem).toContain(problem);
  });
});
