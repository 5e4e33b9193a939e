import { describe, expect, it } from 'vitest';
import { LowSpeedMonitor } from '../../src/activities/low-speed';

const START = 1_000_000;
const KIB = 1024;

/** 1 KiB/s averaged over 60 s, the default download policy. */
const monitor = () => new LowSpeedMonitor(KIB, 60_000, START);

describe('LowSpeedMonitor', () => {
  it('never calls a download too slow before a whole window has passed', () => {
    const m = monitor();
    expect(m.tooSlow(START)).toBe(false);
    expect(m.tooSlow(START + 59_999)).toBe(false);
  });

  it('calls a download that received nothing for a whole window too slow', () => {
    expect(monitor().tooSlow(START + 60_000)).toBe(true);
  });

  it('calls a download too slow when the last window averaged under the limit', () => {
    const m = monitor();
    for (let t = 1000; t <= 60_000; t += 1000) m.record(KIB - 1, START + t);
    expect(m.tooSlow(START + 60_000)).toBe(true);
  });

  it('lets a download at exactly the limit go on', () => {
    const m = monitor();
    for (let t = 1000; t <= 60_000; t += 1000) m.record(KIB, START + t);
    expect(m.tooSlow(START + 60_000)).toBe(false);
  });

  it('lets a fast download go on for as long as it stays fast', () => {
    const m = monitor();
    for (let t = 0; t <= 10 * 60_000; t += 500) {
      m.record(64 * KIB, START + t);
      expect(m.tooSlow(START + t)).toBe(false);
    }
  });

  it('judges only the last window: a fast start does not hide a later stall', () => {
    const m = monitor();
    m.record(100 * 1024 * KIB, START + 1000); // 100 MiB in the first second
    expect(m.tooSlow(START + 60_000)).toBe(false);
    expect(m.tooSlow(START + 61_001)).toBe(true); // that burst left the window; nothing since
  });

  it('notices a download that slows from fast to a trickle', () => {
    const m = monitor();
    let t = 0;
    for (; t <= 60_000; t += 1000) m.record(10 * KIB, START + t);
    expect(m.tooSlow(START + t)).toBe(false);
    for (; t <= 180_000; t += 1000) m.record(100, START + t);
    expect(m.tooSlow(START + t)).toBe(true);
  });

  it('waits a whole window from its own start before judging', () => {
    const late = new LowSpeedMonitor(KIB, 60_000, START + 30_000);
    expect(late.tooSlow(START + 60_000)).toBe(false);
    expect(late.tooSlow(START + 90_000)).toBe(true);
  });
});
