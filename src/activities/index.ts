/**
 * The activities, built from their dependencies (no globals): a Seedance client, a storage and a
 * download policy. Register the result with `Worker.create({ activities: createActivities(...) })`.
 */
import type { Activities } from './types';
import type { ActivityDependencies } from './dependencies';
import { makeCheckStatus } from './check-status';
import { makeCreateVideoTask } from './create-video-task';
import { makeDiscardPartialDownload } from './discard-partial-download';
import { makeDownloadVideo } from './download-video';
import { makeSearchAttributesSupported } from './search-attributes';
import { VideoUrlCache } from './video-url-cache';
import { makeWorkerSettings } from './worker-settings';
import { apiQueueRateLimit } from './api-budget';
import { FleetBrake } from './fleet-brake';
import { RequestSpacing, spacedClient } from './request-spacing';

export function createActivities(deps: ActivityDependencies): Activities {
  const urls = new VideoUrlCache();
  const searchAttributesSupported = makeSearchAttributesSupported();
  const { apiTaskQueue, apiRequestsPerSecond } = deps;
  const queueRate = apiTaskQueue && apiRequestsPerSecond ? apiQueueRateLimit(apiRequestsPerSecond) : undefined;
  const brake = apiTaskQueue && queueRate ? new FleetBrake(apiTaskQueue, queueRate) : undefined;
  const client = queueRate ? spacedClient(deps.client, new RequestSpacing(1000 / queueRate)) : deps.client;
  return {
    checkStatus: makeCheckStatus(client, urls, brake),
    createVideoTask: makeCreateVideoTask(client, brake),
    discardPartialDownload: makeDiscardPartialDownload(deps.storage),
    downloadVideo: makeDownloadVideo(client, deps.storage, urls, deps.download),
    searchAttributesSupported,
    workerSettings: makeWorkerSettings(deps.apiTaskQueue ?? null, searchAttributesSupported),
  };
}

export type { Activities, TaskSnapshot, DownloadVideoInput, WorkerSettings } from './types';
export { DEFAULT_DOWNLOAD_POLICY } from './dependencies';
export type { ActivityDependencies, DownloadPolicy, SeedanceApi } from './dependencies';
