import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FLEX_TIMING, type ServiceTier } from '../../src/seedance/models';
import {
  CALLBACK_POLL_FACTOR,
  adaptiveDelayMs,
  EXPIRY_GRACE_MS,
  deadlineAtMs,
  taskDeadlineAtMs,
  jitter,
  nextCheckDelayMs,
  parseDuration,
  type ScheduleInput,
  scheduledDelayMs,
} from '../../src/seedance/schedule';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The documented polling table (shared/seedance-api.md), written out here so the test checks the table too. */
const DOCUMENTED = [
  {
    name: '480p',
    model: 'seedance_1_5_pro_480p',
    tier: 'default',
    minMs: 10 * SECOND,
    maxMs: 20 * SECOND,
    earliestMs: 30 * SECOND,
  },
  {
    name: '720p',
    model: 'seedance_1_5_pro_720p',
    tier: 'default',
    minMs: 30 * SECOND,
    maxMs: 60 * SECOND,
    earliestMs: 2 * MINUTE,
  },
  {
    name: '1080p',
    model: 'seedance_1_5_pro_1080p',
    tier: 'default',
    minMs: 30 * SECOND,
    maxMs: 60 * SECOND,
    earliestMs: 3 * MINUTE,
  },
  // "longer" is all the documentation says about flex; the earliest finish is the project's choice.
  {
    name: 'flex',
    model: 'seedance_1_5_pro_720p',
    tier: 'flex',
    minMs: 60 * SECOND,
    maxMs: 120 * SECOND,
    earliestMs: FLEX_TIMING.estimatedMinMs,
  },
  {
    name: 'an unknown model',
    model: 'seedance_2_0_pro_4k',
    tier: 'default',
    minMs: 30 * SECOND,
    maxMs: 60 * SECOND,
    earliestMs: 0,
  },
] as const;

const taskId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$/);
const anyModel = fc.constantFrom<string | undefined>(
  'seedance_1_5_pro_480p',
  'seedance_1_5_pro_720p',
  'seedance_1_5_pro_1080p',
  'seedance_2_0_pro_4k',
  '',
  undefined,
);
const anyTier = fc.constantFrom<ServiceTier | undefined>('default', 'flex', undefined);
const createdMs = fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 });
const checks = fc.nat({ max: 100_000 });

/** Any schedule input, including a `now` before `created` (a skewed remote clock). */
const anyInput = fc
  .record({
    taskId,
    model: anyModel,
    serviceTier: anyTier,
    createdMs,
    offsetMs: fc.integer({ min: -2 * 24 * HOUR, max: 2 * 24 * HOUR }),
    checks,
  })
  .map(({ offsetMs, ...rest }): ScheduleInput => ({ ...rest, nowMs: rest.createdMs + offsetMs }));

describe('nextCheckDelayMs', () => {
  it('never waits less than 10 s, whatever the model, tier, times and checks', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        expect(nextCheckDelayMs(input)).toBeGreaterThanOrEqual(10 * SECOND);
      }),
      { numRuns: 2000 },
    );
  });

  for (const row of DOCUMENTED) {
    it(`checks ${row.name} every ${row.minMs / SECOND}-${row.maxMs / SECOND} s once past its earliest finish`, () => {
      fc.assert(
        fc.property(taskId, createdMs, fc.integer({ min: 0, max: 23 * HOUR }), checks, (id, created, past, n) => {
          const delay = nextCheckDelayMs({
            taskId: id,
            model: row.model,
            serviceTier: row.tier,
            createdMs: created,
            nowMs: created + row.earliestMs + past,
            checks: n,
          });
          expect(delay).toBeGreaterThanOrEqual(row.minMs);
          expect(delay).toBeLessThanOrEqual(row.maxMs);
        }),
        { numRuns: 500 },
      );
    });
  }

  it('checks a 720p task no more often than every 30 s', () => {
    const created = 1_761_635_478_000;
    let now = created + 10 * MINUTE;
    for (let n = 0; n < 200; n++) {
      const delay = nextCheckDelayMs({
        taskId: 'video_abc123def456',
        model: 'seedance_1_5_pro_720p',
        createdMs: created,
        nowMs: now,
        checks: n,
      });
      expect(delay).toBeGreaterThanOrEqual(30 * SECOND);
      now += delay;
    }
  });

  it("makes no check before the model's earliest estimated finish (created + estimatedMin)", () => {
    for (const row of DOCUMENTED.filter((r) => r.earliestMs > 0)) {
      fc.assert(
        fc.property(
          taskId,
          createdMs,
          fc.integer({ min: 0, max: row.earliestMs - 1 }),
          checks,
          (id, created, elapsed, n) => {
            const now = created + elapsed;
            const delay = nextCheckDelayMs({
              taskId: id,
              model: row.model,
              serviceTier: row.tier,
              createdMs: created,
              nowMs: now,
              checks: n,
            });
            expect(now + delay).toBeGreaterThanOrEqual(created + row.earliestMs);
          },
        ),
        { numRuns: 300 },
      );
    }
  });

  it('does not check a 1080p task during its first three minutes', () => {
    const created = 1_761_635_478_000;
    const delay = nextCheckDelayMs({
      taskId: 'video_1',
      model: 'seedance_1_5_pro_1080p',
      createdMs: created,
      nowMs: created + 1000,
      checks: 0,
    });
    expect(created + 1000 + delay).toBeGreaterThanOrEqual(created + 3 * MINUTE);
  });

  it('waits no longer than the earliest finish (or one interval) when `created` is in our future (clock skew)', () => {
    for (const row of DOCUMENTED) {
      fc.assert(
        fc.property(taskId, createdMs, fc.integer({ min: 1, max: 24 * HOUR }), checks, (id, created, skew, n) => {
          const delay = nextCheckDelayMs({
            taskId: id,
            model: row.model,
            serviceTier: row.tier,
            createdMs: created,
            nowMs: created - skew,
            checks: n,
          });
          expect(delay).toBeLessThanOrEqual(Math.max(row.earliestMs, row.maxMs));
          expect(delay).toBeGreaterThanOrEqual(Math.max(row.earliestMs, row.minMs));
        }),
        { numRuns: 300 },
      );
    }
  });

  it('is deterministic: the same input gives the same delay (replay-safe)', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        expect(nextCheckDelayMs({ ...input })).toBe(nextCheckDelayMs({ ...input }));
      }),
      { numRuns: 1000 },
    );
  });

  it('spreads 1000 tasks created together across the interval instead of checking in lockstep', () => {
    const created = 1_761_635_478_000;
    const delays = Array.from({ length: 1000 }, (_, i) =>
      nextCheckDelayMs({
        taskId: `video_${i.toString(16).padStart(12, '0')}`,
        model: 'seedance_1_5_pro_720p',
        createdMs: created,
        nowMs: created + 10 * MINUTE,
        checks: 3,
      }),
    );
    expect(new Set(delays).size).toBeGreaterThan(900);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(43 * SECOND);
    expect(mean).toBeLessThan(47 * SECOND);
    // Every tenth of the 30-60 s interval gets a share of the tasks.
    const buckets = new Array<number>(10).fill(0);
    for (const d of delays) buckets[Math.floor((d - 30 * SECOND) / (3 * SECOND))]! += 1;
    for (const count of buckets) expect(count).toBeGreaterThan(50);
  });

  it("varies one task's delay from one check to the next", () => {
    const created = 1_761_635_478_000;
    const delays = Array.from({ length: 50 }, (_, n) =>
      nextCheckDelayMs({
        taskId: 'video_abc123def456',
        model: 'seedance_1_5_pro_480p',
        createdMs: created,
        nowMs: created + HOUR,
        checks: n,
      }),
    );
    expect(new Set(delays).size).toBeGreaterThan(25);
  });
});

describe('jitter', () => {
  it('is a number in [0, 1) for any task id and check count', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.integer(), (id, n) => {
        const j = jitter(id, n);
        expect(j).toBeGreaterThanOrEqual(0);
        expect(j).toBeLessThan(1);
      }),
      { numRuns: 2000 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(), (id, n) => {
        expect(jitter(id, n)).toBe(jitter(id, n));
      }),
    );
  });

  it('spreads over [0, 1): 1000 task ids give distinct values with a mean near 0.5', () => {
    const values = Array.from({ length: 1000 }, (_, i) => jitter(`video_${i}`, 0));
    expect(new Set(values).size).toBe(1000);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(Math.min(...values)).toBeLessThan(0.05);
    expect(Math.max(...values)).toBeGreaterThan(0.95);
  });
});

describe('deadlineAtMs', () => {
  const created = 1_761_635_478_000;

  it('gives up 6 h after creation by default', () => {
    expect(deadlineAtMs(created)).toBe(created + 6 * HOUR);
  });

  it('honours a requested deadline inside retention', () => {
    expect(deadlineAtMs(created, 2 * HOUR)).toBe(created + 2 * HOUR);
  });

  it('caps the deadline at retention (1 day) minus 1 h, so there is always time to download', () => {
    expect(deadlineAtMs(created, 48 * HOUR)).toBe(created + 23 * HOUR);
    expect(deadlineAtMs(created, Number.POSITIVE_INFINITY)).toBe(created + 23 * HOUR);
    fc.assert(
      fc.property(createdMs, fc.integer({ min: 1, max: 30 * 24 * HOUR }), (c, requested) => {
        const at = deadlineAtMs(c, requested);
        expect(at - c).toBeLessThanOrEqual(23 * HOUR);
        expect(at - c).toBe(Math.min(requested, 23 * HOUR));
      }),
    );
  });
});

describe('parseDuration', () => {
  it.each([
    ['90s', 90 * SECOND],
    ['15m', 15 * MINUTE],
    ['2h', 2 * HOUR],
    ['1h30m', 90 * MINUTE],
    ['500ms', 500],
    ['1d', 24 * HOUR],
    ['1.5h', 90 * MINUTE],
    [' 2h ', 2 * HOUR],
    [7_200_000, 7_200_000],
    [1, 1],
  ] as const)('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each<[string, string | number]>([
    ['an empty string', ''],
    ['a word ("soon")', 'soon'],
    ['a negative duration ("-1h")', '-1h'],
    ['a space between number and unit ("2 h")', '2 h'],
    ['a space between parts ("1h 30m")', '1h 30m'],
    ['a number without a unit, as a string ("10")', '10'],
    ['a unit without a number ("h")', 'h'],
    ['an unknown unit ("2w")', '2w'],
    ['zero ("0s")', '0s'],
    ['less than one millisecond, which rounds to zero ("0.4ms")', '0.4ms'],
    ['a number of hours too large to represent (400 digits)', '9'.repeat(400) + 'h'],
    ['the number 0', 0],
    ['a negative number', -5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('refuses %s', (_, value) => {
    expect(parseDuration(value)).toBeUndefined();
  });

  it('adds up the parts of any h/m/s combination', () => {
    fc.assert(
      fc.property(fc.nat({ max: 48 }), fc.nat({ max: 59 }), fc.nat({ max: 59 }), (h, m, s) => {
        fc.pre(h + m + s > 0);
        expect(parseDuration(`${h}h${m}m${s}s`)).toBe(h * HOUR + m * MINUTE + s * SECOND);
      }),
    );
  });

  it('returns only a positive whole number of milliseconds, or undefined, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9.]{1,6}(ms|s|m|h|d)$/)), (text) => {
        const ms = parseDuration(text);
        if (ms !== undefined) {
          expect(Number.isInteger(ms)).toBe(true);
          expect(ms).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('timing by resolution (a provider that reports it apart from the model)', () => {
  const base = { taskId: 'cgt-20261201120000-abcde', createdMs: 0, checks: 3 };

  it("times ModelArk's seedance-1-5-pro-251215 by its resolution, like the reseller's model of that resolution", () => {
    for (const resolution of ['480p', '720p', '1080p']) {
      for (const nowMs of [0, 10 * MINUTE]) {
        const modelArk = nextCheckDelayMs({ ...base, nowMs, model: 'seedance-1-5-pro-251215', resolution });
        const reseller = nextCheckDelayMs({ ...base, nowMs, model: `seedance_1_5_pro_${resolution}` });
        expect(modelArk).toBe(reseller);
      }
    }
  });

  it('falls back to the conservative default for an unknown resolution', () => {
    const delay = nextCheckDelayMs({ ...base, nowMs: 0, model: 'seedance-1-5-pro-251215', resolution: '4k' });
    expect(delay).toBeGreaterThanOrEqual(30 * SECOND);
    expect(delay).toBeLessThan(60 * SECOND);
  });
});

describe('with callbacks', () => {
  it('polls four times less often (the fallback for a lost callback), still not before the earliest finish', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.constantFrom(...DOCUMENTED), (checks, row) => {
        const tier = row.tier as ServiceTier;
        const input = {
          taskId: 'cgt-x',
          model: row.model,
          serviceTier: tier,
          createdMs: 0,
          nowMs: 30 * MINUTE,
          checks,
        };
        const plain = nextCheckDelayMs(input);
        expect(nextCheckDelayMs({ ...input, callbacks: true })).toBe(CALLBACK_POLL_FACTOR * plain);
        expect(nextCheckDelayMs({ ...input, nowMs: 0, callbacks: true })).toBeGreaterThanOrEqual(row.earliestMs);
      }),
    );
  });
});

describe('taskDeadlineAtMs', () => {
  const DAY = 24 * HOUR;
  const createdMs = 1_000_000;

  it('without a provider expiry, is deadlineAtMs with the provider retention', () => {
    expect(taskDeadlineAtMs({ createdMs, deadlineMs: 2 * HOUR, deadlineExplicit: false })).toBe(
      deadlineAtMs(createdMs, 2 * HOUR),
    );
    expect(taskDeadlineAtMs({ createdMs, deadlineMs: 3 * DAY, deadlineExplicit: true, retentionMs: 7 * DAY })).toBe(
      createdMs + 3 * DAY,
    );
  });

  it("follows a task without a deadline of its own until just past the provider's expiry", () => {
    const expiresAtMs = createdMs + 2 * DAY;
    expect(
      taskDeadlineAtMs({ createdMs, deadlineMs: 6 * HOUR, deadlineExplicit: false, retentionMs: 7 * DAY, expiresAtMs }),
    ).toBe(expiresAtMs + EXPIRY_GRACE_MS);
  });

  it('lets an explicit deadline win over the expiry', () => {
    const expiresAtMs = createdMs + 2 * DAY;
    expect(
      taskDeadlineAtMs({ createdMs, deadlineMs: HOUR, deadlineExplicit: true, retentionMs: 7 * DAY, expiresAtMs }),
    ).toBe(createdMs + HOUR);
  });

  it('never goes past the retention minus the download reserve', () => {
    const expiresAtMs = createdMs + 30 * DAY;
    expect(
      taskDeadlineAtMs({ createdMs, deadlineMs: HOUR, deadlineExplicit: false, retentionMs: 7 * DAY, expiresAtMs }),
    ).toBe(createdMs + 7 * DAY - HOUR);
  });
});

describe('scheduledDelayMs', () => {
  const facts = { taskId: 'video_choice', model: 'seedance_1_5_pro_720p', createdMs: 0, nowMs: 150_000, checks: 2 };
  const completions = { 'seedance_1_5_pro_720p||default': [150_000, 160_000, 170_000, 180_000, 190_000] };

  it('is the adaptive schedule when the run was handed completions, the documented one otherwise', () => {
    expect(scheduledDelayMs({ ...facts, completions })).toBe(adaptiveDelayMs({ ...facts, completions }));
    expect(scheduledDelayMs(facts)).toBe(nextCheckDelayMs(facts));
    expect(scheduledDelayMs({ ...facts, completions: undefined })).toBe(nextCheckDelayMs(facts));
  });

  it('polls a task that calls back sparsely, whatever the schedule', () => {
    const callsBack = { ...facts, callbacks: true };
    expect(scheduledDelayMs({ ...callsBack, completions })).toBe(nextCheckDelayMs(callsBack));
  });
});
