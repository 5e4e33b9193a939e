import { describe, expect, it } from 'vitest';
import { RequestSpacing, spacedProvider } from '../../src/activities/request-spacing';
import type { VideoTaskProvider } from '../../src/seedance/provider';

describe('RequestSpacing', () => {
  it('lets requests that arrive together out one gap apart, in arrival order', async () => {
    const spacing = new RequestSpacing(60);
    const started: number[] = [];
    const t0 = Date.now();
    await Promise.all([0, 1, 2, 3].map(async () => (await spacing.turn(), started.push(Date.now() - t0))));
    expect(started[0]).toBeLessThan(30);
    for (let i = 1; i < started.length; i++) expect(started[i]! - started[i - 1]!).toBeGreaterThanOrEqual(55);
  });

  it('does not delay a request that comes after the gap has passed', async () => {
    const spacing = new RequestSpacing(20);
    await spacing.turn();
    await new Promise((resolve) => setTimeout(resolve, 40));
    const t0 = Date.now();
    await spacing.turn();
    expect(Date.now() - t0).toBeLessThan(10);
  });

  it('spaces both calls of a provider, which still answer as the provider does', async () => {
    const calls: string[] = [];
    const inner = {
      name: 'reseller',
      capabilities: { cancel: false, callbacks: false, recordRetentionMs: 1 },
      createTask: async () => (calls.push('create'), { id: 'video_1' }),
      getTask: async (id: string) => (calls.push(`get ${id}`), { id }),
    } as unknown as VideoTaskProvider;
    const client = spacedProvider(inner, new RequestSpacing(30));
    const t0 = Date.now();
    const answers = await Promise.all([client.createTask({} as never), client.getTask('video_1')]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(calls).toEqual(['create', 'get video_1']);
    expect(answers).toEqual([{ id: 'video_1' }, { id: 'video_1' }]);
  });
});
