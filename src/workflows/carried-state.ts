import type { ProviderSettings } from '../activities/types';
import type { TaskStatus } from '../contract/types';

/**
 * State carried across continue-as-new: everything the next run needs to go on where this one
 * stopped. Not part of the public input, and not exported from the package's entry points.
 */
export interface CarriedState {
  taskId: string;
  createdMs: number;
  checks: number;
  model: string;
  deadlineAtMs: number;
  searchAttributes: boolean;
  /** Where API calls go (absent in runs started before the API queue existed: the workflow's queue). */
  apiTaskQueue?: string | null;
  /** The provider's capabilities, as the first run recorded them (absent: the reseller, before providers). */
  provider?: ProviderSettings;
  /** The task's resolution where the provider reports it apart from the model (the schedule's timing). */
  resolution?: string;
  /** This task calls back (a generate run created it with callbacks on): its polling is sparse. */
  callsBack?: boolean;
  /** `SEEDANCE_SCHEDULE=adaptive`: the completion quantiles the first run was handed. */
  completions?: Record<string, number[]>;
  lastCheckedAtMs: number | null;
  /** The last status seen, so the `status` query shows it before the new run's first check. */
  remoteStatus?: TaskStatus | null;
}
