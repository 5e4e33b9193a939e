/**
 * Spaces one worker process's API requests at least `1 / rate` seconds apart. Temporal hands the
 * `-api` queue's tasks out at the fleet's rate; a worker process whose event loop was busy (GC, a
 * burst of workflow activations) would otherwise start the tasks that arrived meanwhile all at
 * once, and the provider would see a burst that Temporal never dispatched. No process's share
 * exceeds the fleet's rate, so the spacing only undoes such bunching.
 */
import type { VideoTaskProvider } from '../seedance/provider';

export class RequestSpacing {
  private nextAt = 0;

  constructor(
    private readonly minGapMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Waits for this request's turn. */
  async turn(): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + this.minGapMs;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}

/** `provider`, with each API call waiting for its turn first. */
export function spacedProvider(provider: VideoTaskProvider, spacing: RequestSpacing): VideoTaskProvider {
  const { cancelTask } = provider;
  return {
    name: provider.name,
    capabilities: provider.capabilities,
    async createTask(...args) {
      await spacing.turn();
      return provider.createTask(...args);
    },
    async getTask(...args) {
      await spacing.turn();
      return provider.getTask(...args);
    },
    ...(cancelTask
      ? {
          // cancelTask reads the status, then may DELETE: two requests, two turns.
          async cancelTask(...args: Parameters<typeof cancelTask>) {
            await spacing.turn();
            await spacing.turn();
            return cancelTask.apply(provider, args);
          },
        }
      : {}),
  };
}
