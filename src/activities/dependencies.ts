/** What the activities are built from: the Seedance API, the storage and the download policy. */
import type { VideoTaskProvider } from '../seedance/provider';
import type { ResellerApi } from '../seedance/reseller-provider';
import type { VideoUrlPolicy } from '../seedance/url-safety';
import type { VideoStorage } from '../storage/types';

/** The reseller client's two calls (a `SeedanceClient`, or any object of this shape). */
export type SeedanceApi = ResellerApi;

export interface DownloadPolicy {
  /** Allow http and private/loopback addresses (local simulators only). @default false */
  allowPrivateUrls: boolean;
  /**
   * Which IP addresses the download may connect to, checked on every hop and after DNS. Default:
   * public unicast addresses only (any address with `allowPrivateUrls`). Tests narrow it to one
   * local server to exercise the refusals.
   */
  isAllowedAddress?: (ip: string) => boolean;
  /** Refuse videos larger than this many bytes. @default 2 GiB */
  maxBytes: number;
  /** Abort when no byte arrives for this long, in ms. @default 30_000 */
  idleTimeoutMs: number;
  /** Abort when fewer than `lowSpeedBytesPerSecond` arrive, on average, over `lowSpeedWindowMs`. */
  lowSpeedBytesPerSecond: number;
  lowSpeedWindowMs: number;
  /** fsync + heartbeat the offset at most this often, in ms (the SDK throttles heartbeats further). @default 1_000 */
  checkpointIntervalMs: number;
  /** Report progress to the workflow's `status` query at most this often, in ms. @default 2_000 */
  progressIntervalMs: number;
}

export const DEFAULT_DOWNLOAD_POLICY: DownloadPolicy = {
  allowPrivateUrls: false,
  maxBytes: 2 * 1024 ** 3,
  idleTimeoutMs: 30_000,
  lowSpeedBytesPerSecond: 1024,
  lowSpeedWindowMs: 60_000,
  checkpointIntervalMs: 1_000,
  progressIntervalMs: 2_000,
};

/** The provider's task API: a {@link VideoTaskProvider}, or (older form) the reseller client as `client`. */
export type ProviderDependency =
  { provider: VideoTaskProvider; client?: never } | { client: SeedanceApi; provider?: never };

export type ActivityDependencies = ProviderDependency & CommonActivityDependencies;

export interface CommonActivityDependencies {
  storage: VideoStorage;
  download?: Partial<DownloadPolicy>;
  /**
   * The queue the fleet serves API calls on, told to new runs by `workerSettings`. Set it only when
   * a worker polls that queue (see `seedanceApiWorkerOptions`). @default null: the workflow's queue
   */
  apiTaskQueue?: string | null;
  /** The fleet's API budget on `apiTaskQueue`: a 429 then lowers that queue's rate for everyone. */
  apiRequestsPerSecond?: number;
  /**
   * `adaptive`: new runs space their checks by the completion times this worker has seen (and the
   * documented range until it has seen enough). `documented`: the documented interval with a
   * jitter, as before 0.3. @default 'adaptive'
   */
  schedule?: 'documented' | 'adaptive';
  /**
   * The Temporal server's time as this worker reads it: `pollStatus` dates each read by it (the
   * schedule counts from the task's creation). @default Date.now (a worker's clock keeps to the
   * server's); pass `testEnv.currentTimeMs()` on the time-skipping test server, whose clock skips.
   */
  clock?: () => number | Promise<number>;
}

/** The URL-safety part of a download policy, as `openVideo` and `checkVideoUrl` take it. */
export function videoUrlPolicy(policy: DownloadPolicy): VideoUrlPolicy {
  return {
    allowPrivate: policy.allowPrivateUrls,
    ...(policy.isAllowedAddress ? { isAllowedAddress: policy.isAllowedAddress } : {}),
  };
}
