/**
 * The `--wait` progress line: pure functions of the workflow's `status` query answer (and the
 * batch's `batchStatus`) and the time, so what a person sees is unit-tested without a terminal.
 *
 *   video_abc123 · waiting · remote processing · 2 checks · next check in 28 s
 *   video_abc123 · downloading · [#########-----------]  45% 80.0 KiB / 173.2 KiB
 */
import type { SeedanceBatchStatus, SeedanceVideoStatus } from '../contract/types';

export interface ProgressLineOptions {
  /** The time the line is drawn at. */
  nowMs: number;
  /**
   * When the next check happens if the query does not say: during a `pollStatus` wait the next
   * check is that activity's next attempt (from `describe`).
   */
  nextCheckAtMs?: number | null | undefined;
  /** Terminal columns: the line is cut to fit, so `\r` redraws it in place. */
  columns?: number | undefined;
}

const BAR_WIDTH = 20;
const SEPARATOR = ' · ';

/** One line saying where a video is: task, phase, remote status, checks, next check or download. */
export function renderProgressLine(status: SeedanceVideoStatus, options: ProgressLineOptions): string {
  const parts = [status.taskId ?? 'creating task', status.phase];
  if (status.remoteStatus) parts.push(`remote ${status.remoteStatus}`);
  parts.push(`${status.checks} ${status.checks === 1 ? 'check' : 'checks'}`);
  if (status.phase === 'waiting') parts.push(nextCheck(status, options));
  if (status.phase === 'downloading' || (status.phase === 'completed' && status.download)) {
    parts.push(downloadBar(status.download?.bytes ?? 0, status.download?.totalBytes ?? null));
  }
  return fit(parts.join(SEPARATOR), options.columns);
}

function nextCheck(status: SeedanceVideoStatus, options: ProgressLineOptions): string {
  const at = status.nextCheckAt !== null ? Date.parse(status.nextCheckAt) : options.nextCheckAtMs;
  if (at === null || at === undefined || Number.isNaN(at)) return 'next check on the schedule';
  const seconds = Math.ceil((at - options.nowMs) / 1000);
  return seconds > 0 ? `next check in ${formatSeconds(seconds)}` : 'next check due';
}

/** `[#####---------------]  25% 1.0 MiB / 4.0 MiB`, or `1.0 MiB` while the size is unknown. */
export function downloadBar(bytes: number, totalBytes: number | null, width = BAR_WIDTH): string {
  if (totalBytes === null || totalBytes <= 0) return `${formatBytes(bytes)} downloaded`;
  const share = Math.min(1, Math.max(0, bytes / totalBytes));
  const filled = Math.floor(share * width);
  const percent = `${Math.floor(share * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent} ${formatBytes(bytes)} / ${formatBytes(totalBytes)}`;
}

/** One line saying where a batch is: counts by phase out of the total. */
export function renderBatchLine(status: SeedanceBatchStatus, options: { columns?: number | undefined } = {}): string {
  const { counts, total } = status;
  const done = counts.completed + counts.failed + counts.cancelled;
  const parts = [`batch ${done}/${total} done`, `${counts.completed} stored`, `${counts.running} running`];
  parts.push(`${counts.pending} pending`);
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  if (counts.cancelled > 0) parts.push(`${counts.cancelled} cancelled`);
  parts.push(`at most ${status.maxConcurrent} at once`);
  return fit(parts.join(SEPARATOR), options.columns);
}

/** `512 B`, `173.2 KiB`, `40.0 MiB`, `1.2 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `28 s`, `2 min 05 s`. */
function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** Cut to the terminal's width minus one column (a line filling the last column wraps on some terminals). */
function fit(line: string, columns: number | undefined): string {
  if (!columns || columns < 10 || line.length < columns) return line;
  return `${line.slice(0, columns - 2)}…`;
}
