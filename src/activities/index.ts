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
import { RequestSpacing, spacedProvider } from './request-spacing';
import { makeCancelRemoteTask } from './cancel-remote-task';
import { makePollStatus } from './poll-status';
import { CompletionStats } from './completion-stats';
import { ResellerProvider } from '../seedance/reseller-provider';
import type { VideoTaskProvider } from '../seedance/provider';

export function createActivities(deps: ActivityDependencies): Activities {
  const urls = new VideoUrlCache();
  const searchAttributesSupported = makeSearchAttributesSupported();
  const { apiTaskQueue, apiRequestsPerSecond } = deps;
  const queueRate = apiTaskQueue && apiRequestsPerSecond ? apiQueueRateLimit(apiRequestsPerSecond) : undefined;
  const brake = apiTaskQueue && queueRate ? new FleetBrake(apiTaskQueue, queueRate) : undefined;
  const given = providerOf(deps);
  const provider = queueRate ? spacedProvider(given, new RequestSpacing(1000 / queueRate)) : given;
  const completions = deps.schedule === 'documented' ? undefined : new CompletionStats();
  const checkStatus = makeCheckStatus(provider, urls, brake, completions);
  return {
    checkStatus,
    pollStatus: makePollStatus(checkStatus, deps.clock ?? Date.now),
    createVideoTask: makeCreateVideoTask(provider, brake),
    cancelRemoteTask: makeCancelRemoteTask(provider, brake),
    discardPartialDownload: makeDiscardPartialDownload(deps.storage),
    downloadVideo: makeDownloadVideo(provider, deps.storage, urls, deps.download),
    searchAttributesSupported,
    workerSettings: makeWorkerSettings(deps.apiTaskQueue ?? null, searchAttributesSupported, provider, completions),
  };
}

/** The provider the dependencies name: given as such, or the reseller client behind its adapter. */
export function providerOf(deps: ActivityDependencies): VideoTaskProvider {
  if (deps.provider) return deps.provider;
  if (deps.client) return new ResellerProvider(deps.client);
  throw new TypeError('createActivities: pass `provider` (or the reseller `client`)');
}

export type { Activities, TaskSnapshot, DownloadVideoInput, WorkerSettings, ProviderSettings } from './types';
export { DEFAULT_DOWNLOAD_POLICY } from './dependencies';
export type { ActivityDependencies, DownloadPolicy, SeedanceApi, ProviderDependency } from './dependencies';
