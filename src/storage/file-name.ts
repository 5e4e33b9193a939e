/**
 * File names come from workflow input: they must be one safe path segment. Pure (no Node
 * imports) so the workflow can refuse a bad name before any activity runs; the storage checks
 * again against the real output root (symlinks) before it writes.
 */

export const MAX_FILE_NAME_BYTES = 200;

export type FileNameCheck = { ok: true; fileName: string } | { ok: false; reason: string };

export function checkFileName(fileName: string): FileNameCheck {
  if (typeof fileName !== 'string' || fileName.length === 0) return { ok: false, reason: 'the file name is empty' };
  if (utf8Length(fileName) > MAX_FILE_NAME_BYTES) {
    return { ok: false, reason: `the file name is longer than ${MAX_FILE_NAME_BYTES} bytes` };
  }
  if (/[\u0000-\u001f\u007f-\u009f]/.test(fileName))
    return { ok: false, reason: 'the file name contains a control character' };
  if (/[/\\]/.test(fileName)) return { ok: false, reason: 'the file name must be one path segment (no "/" or "\\")' };
  if (fileName === '.' || fileName === '..') return { ok: false, reason: 'the file name cannot be "." or ".."' };
  if (fileName.startsWith('.'))
    return { ok: false, reason: 'the file name cannot start with "." (hidden and temporary files)' };
  if (fileName.endsWith('.part')) return { ok: false, reason: 'the ".part" ending is reserved for partial downloads' };
  return { ok: true, fileName };
}

/** The default file name of a task's video. Task ids are safe tokens, so this is a safe name. */
export function defaultFileName(taskId: string): string {
  return `${taskId}.mp4`;
}

/** What {@link lastFrameFileName} puts in place of `.mp4`. */
export const LAST_FRAME_SUFFIX = '.last-frame.png';

/**
 * The file name of a video's last-frame image, stored beside it: `<name without .mp4>.last-frame.png`
 * (`clip.mp4` -> `clip.last-frame.png`; a name without `.mp4` keeps it whole). Refused like any file
 * name when the result is not safe, e.g. longer than {@link MAX_FILE_NAME_BYTES}.
 */
export function lastFrameFileName(videoFileName: string): FileNameCheck {
  const video = checkFileName(videoFileName);
  if (!video.ok) return video;
  const stem = video.fileName.replace(/\.mp4$/i, '');
  return checkFileName(`${stem}${LAST_FRAME_SUFFIX}`);
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
