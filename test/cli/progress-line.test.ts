import { describe, expect, it } from 'vitest';
import type { SeedanceBatchStatus, SeedanceVideoStatus } from '../../src/contract/types';
import { LiveLine } from '../../src/cli/live-line';
import { downloadBar, formatBytes, renderBatchLine, renderProgressLine } from '../../src/cli/progress-line';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');

function status(overrides: Partial<SeedanceVideoStatus>): SeedanceVideoStatus {
  return {
    phase: 'checking',
    taskId: 'video_abc123',
    model: 'seedance_1_5_pro_720p',
    remoteStatus: null,
    checks: 0,
    lastCheckedAt: null,
    nextCheckAt: null,
    ...overrides,
  };
}

describe('the progress line', () => {
  it('says a task is being created before it has an id', () => {
    expect(renderProgressLine(status({ taskId: null }), { nowMs: NOW })).toBe('creating task · checking · 0 checks');
  });

  it('counts down to the next check the query names', () => {
    const waiting = status({
      phase: 'waiting',
      remoteStatus: 'processing',
      checks: 2,
      nextCheckAt: new Date(NOW + 27_200).toISOString(),
    });
    expect(renderProgressLine(waiting, { nowMs: NOW })).toBe(
      'video_abc123 · waiting · remote processing · 2 checks · next check in 28 s',
    );
    expect(renderProgressLine(waiting, { nowMs: NOW + 30_000 })).toContain('next check due');
  });

  it('takes the next check from the poll activity when the query has none, and says so when neither has', () => {
    const polling = status({ phase: 'waiting', remoteStatus: 'queued', checks: 1 });
    expect(renderProgressLine(polling, { nowMs: NOW, nextCheckAtMs: NOW + 150_000 })).toBe(
      'video_abc123 · waiting · remote queued · 1 check · next check in 2 min 30 s',
    );
    expect(renderProgressLine(polling, { nowMs: NOW })).toContain('next check on the schedule');
  });

  it('draws a download bar with bytes of total', () => {
    const downloading = status({
      phase: 'downloading',
      remoteStatus: 'completed',
      checks: 3,
      download: { bytes: 80 * 1024, totalBytes: 160 * 1024 },
    });
    expect(renderProgressLine(downloading, { nowMs: NOW })).toBe(
      'video_abc123 · downloading · remote completed · 3 checks · [##########----------]  50% 80.0 KiB / 160.0 KiB',
    );
  });

  it('shows bytes alone while the total is unknown', () => {
    expect(downloadBar(512, null)).toBe('512 B downloaded');
  });

  it('fits the terminal width, so a redraw in place never wraps', () => {
    const line = renderProgressLine(status({ phase: 'waiting', checks: 1 }), { nowMs: NOW, columns: 30 });
    expect(line.length).toBe(29);
    expect(line.endsWith('…')).toBe(true);
  });

  it('formats sizes in binary units', () => {
    expect([formatBytes(0), formatBytes(1536), formatBytes(5 * 1024 ** 2), formatBytes(3 * 1024 ** 3)]).toEqual([
      '0 B',
      '1.5 KiB',
      '5.0 MiB',
      '3.0 GiB',
    ]);
  });

  it("renders a batch's counts", () => {
    const batch: SeedanceBatchStatus = {
      total: 50,
      counts: { pending: 27, running: 10, completed: 12, failed: 1, cancelled: 0 },
      maxConcurrent: 10,
      items: [],
      run: 1,
    };
    expect(renderBatchLine(batch)).toBe(
      'batch 13/50 done · 12 stored · 10 running · 27 pending · 1 failed · at most 10 at once',
    );
  });
});

describe('the live line', () => {
  function stream(isTTY: boolean) {
    const written: string[] = [];
    return { written, isTTY, columns: 80, write: (text: string) => written.push(text) };
  }

  it('redraws in place on a terminal and ends with a newline', () => {
    const tty = stream(true);
    const line = new LiveLine(tty);
    line.update('a');
    line.update('a');
    line.update('b');
    line.finish();
    expect(tty.written).toEqual(['\r\x1b[2Ka', '\r\x1b[2Ka', '\r\x1b[2Kb', '\n']);
  });

  it('prints one plain line per change off a terminal', () => {
    const pipe = stream(false);
    const line = new LiveLine(pipe);
    line.update('next check in 9 s', 'k1');
    line.update('next check in 8 s', 'k1');
    line.update('downloading', 'k2');
    line.finish();
    expect(pipe.written).toEqual(['next check in 9 s\n', 'downloading\n']);
  });

  it('draws nothing once finished: a late query cannot overwrite the summary printed after it', () => {
    for (const isTTY of [true, false]) {
      const out = stream(isTTY);
      const line = new LiveLine(out);
      line.update('batch 3/3 done', 'k1');
      line.finish();
      const written = out.written.length;
      line.update('batch 3/3 done', 'k2');
      line.finish();
      expect(out.written).toHaveLength(written);
    }
  });
});
