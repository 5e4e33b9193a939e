import { describe, expect, it } from 'vitest';
import { CompletionStats } from '../../src/activities/completion-stats';
import { completionKey } from '../../src/seedance/completion-model';

const task = (i: number) => ({ taskId: `video_${i}`, model: 'seedance_1_5_pro_720p' });

describe('CompletionStats', () => {
  it('hands out quantiles every 5 % once a key has enough completions', () => {
    const stats = new CompletionStats({ minSamples: 20 });
    for (let i = 0; i < 19; i++) stats.record(task(i), 100_000 + i * 1000);
    expect(stats.quantiles()).toEqual({});
    stats.record(task(19), 119_000);
    const q = stats.quantiles()[completionKey('seedance_1_5_pro_720p')]!;
    expect(q).toHaveLength(21);
    expect(q[0]).toBe(100_000);
    expect(q[20]).toBe(119_000);
    expect(q[10]).toBe(109_500);
  });

  it('counts a task once, keeps the newest completions, and ignores nonsense durations', () => {
    const stats = new CompletionStats({ capacity: 20, minSamples: 20 });
    for (let i = 0; i < 20; i++) stats.record(task(i), 1_000);
    for (let i = 0; i < 20; i++) stats.record(task(i), 9_999); // seen again (the download's read): ignored
    for (let i = 20; i < 40; i++) stats.record(task(i), 5_000);
    stats.record(task(99), -5);
    stats.record(task(98), Number.NaN);
    const q = stats.quantiles()[completionKey('seedance_1_5_pro_720p')]!;
    expect(new Set(q)).toEqual(new Set([5_000]));
  });

  it('keeps models, resolutions and tiers apart', () => {
    const stats = new CompletionStats({ minSamples: 1 });
    stats.record({ taskId: 'a', model: 'seedance-1-5-pro-251215', resolution: '480p' }, 60_000);
    stats.record({ taskId: 'b', model: 'seedance-1-5-pro-251215', resolution: '1080p' }, 300_000);
    stats.record({ taskId: 'c', model: 'seedance-1-5-pro-251215', resolution: '1080p', serviceTier: 'flex' }, 900_000);
    expect(Object.keys(stats.quantiles()).sort()).toEqual([
      'seedance-1-5-pro-251215|1080p|default',
      'seedance-1-5-pro-251215|1080p|flex',
      'seedance-1-5-pro-251215|480p|default',
    ]);
  });
});
