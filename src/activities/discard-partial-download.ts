import { Context } from '@temporalio/activity';
import { checkFileName } from '../storage/file-name';
import type { VideoStorage } from '../storage/types';
import type { DownloadVideoInput } from './types';

/**
 * Removes the leftovers of a cancelled download. A running `downloadVideo` discards its own sink
 * when cancelled, but a cancel that lands while the download waits between retries finds no
 * attempt running: this activity, run by the workflow after such a cancel, cleans up.
 */
export function makeDiscardPartialDownload(storage: VideoStorage) {
  return async function discardPartialDownload({ taskId, fileName }: DownloadVideoInput): Promise<number> {
    if (!checkFileName(fileName).ok) return 0;
    const removed = await storage.discardPartials({ fileName, taskId });
    if (removed > 0) Context.current().log.info('removed partial downloads', { taskId, removed });
    return removed;
  };
}
