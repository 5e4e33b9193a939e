/**
 * The reseller API (shared/seedance-api.md) behind the provider-neutral port: its request rules,
 * its task JSON mapped onto {@link ProviderTask}. It cannot cancel and documents no callbacks.
 */
import type { SeedanceClient } from './client';
import { describeIssues } from './client';
import { SeedanceInvalidRequestError } from './errors';
import { RETENTION_MS } from './models';
import type { CreateTaskOptions, ProviderRequestOptions, ProviderTask, VideoTaskProvider } from './provider';
import { createVideoRequestSchema, type SeedanceTask } from './schemas';
import type { VideoRequest } from './video-request';

/** The two calls of {@link SeedanceClient} the adapter uses (tests may pass any object of this shape). */
export type ResellerApi = Pick<SeedanceClient, 'createTask' | 'getTask'>;

/** Options only ModelArk has: refused here with a clear word instead of silently dropped. */
const MODELARK_ONLY = ['resolution', 'draft', 'execution_expires_after', 'return_last_frame'] as const;

export class ResellerProvider implements VideoTaskProvider {
  readonly name = 'reseller' as const;
  readonly capabilities = { cancel: false, callbacks: false, recordRetentionMs: RETENTION_MS };

  constructor(private readonly client: ResellerApi & { close?: () => Promise<void> }) {}

  async createTask(request: VideoRequest, options: CreateTaskOptions = {}): Promise<ProviderTask> {
    const present = MODELARK_ONLY.filter((key) => request[key] !== undefined);
    if (present.length > 0) {
      throw new SeedanceInvalidRequestError(
        `The create request is invalid for the reseller API: ${present.join(', ')} ${present.length === 1 ? 'is' : 'are'} ModelArk options (choose the resolution by the model name, e.g. seedance_1_5_pro_1080p)`,
      );
    }
    const parsed = createVideoRequestSchema.safeParse(request);
    if (!parsed.success) {
      throw new SeedanceInvalidRequestError(
        `The create request is invalid for the reseller API: ${describeIssues(parsed.error.issues)}`,
      );
    }
    const signal = options.signal;
    return fromResellerTask(await this.client.createTask(parsed.data, signal ? { signal } : {}));
  }

  async getTask(taskId: string, options: ProviderRequestOptions = {}): Promise<ProviderTask> {
    return fromResellerTask(await this.client.getTask(taskId, options));
  }

  async close(): Promise<void> {
    await this.client.close?.();
  }
}

/** The reseller's task in the package's words. Its URLs live one day from the task's creation. */
export function fromResellerTask(task: SeedanceTask): ProviderTask {
  const createdMs = task.created * 1000;
  return {
    id: task.id,
    model: task.model,
    createdMs,
    status: task.status,
    videoUrl: task.video_url ?? null,
    actualDuration: task.actualDuration ?? null,
    error: task.error ?? null,
    videoUrlExpiresAtMs: createdMs + RETENTION_MS,
  };
}
