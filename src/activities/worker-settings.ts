/** `workerSettings`: what a new run asks the worker once (search attributes, the API queue, the provider). */
import type { VideoTaskProvider } from '../seedance/provider';
import type { CompletionStats } from './completion-stats';
import type { WorkerSettings } from './types';

/**
 * @param apiTaskQueue the queue this worker's fleet serves API calls on (`SEEDANCE_API_RPS` set),
 *   or null: then they run on the workflow's own queue.
 * @param searchAttributesSupported the cached search-attribute check of `./search-attributes`.
 * @param provider the configured provider, whose capabilities the run records.
 */
export function makeWorkerSettings(
  apiTaskQueue: string | null,
  searchAttributesSupported: () => Promise<boolean>,
  provider: VideoTaskProvider,
  /** Set with `SEEDANCE_SCHEDULE=adaptive`: the completions this worker has seen. */
  completions?: CompletionStats,
) {
  const { cancel, callbacks, recordRetentionMs } = provider.capabilities;
  return async function workerSettings(): Promise<WorkerSettings> {
    return {
      searchAttributes: await searchAttributesSupported(),
      apiTaskQueue,
      provider: { name: provider.name, cancel, callbacks, recordRetentionMs },
      ...(completions ? { schedule: { kind: 'adaptive' as const, completions: completions.quantiles() } } : {}),
    };
  };
}
