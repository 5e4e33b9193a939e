/**
 * Spaces one worker process's API requests at least `1 / rate` seconds apart. Temporal hands the
 * `-api` queue's tasks out at the fleet's rate; a worker process whose event loop was busy (GC, a
 * burst of workflow activations) would otherwise start the tasks that arrived meanwhile all at
 * once, and the provider would see a burst that Temporal never dispatched. No process's share
 * exceeds the fleet's rate, so the spacing only undoes such bunching.
 */
import type { SeedanceApi } from './dependencies';

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

/** `client`, with each call waiting for its turn first. */
export function spacedClient(client: SeedanceApi, spacing: RequestSpacing): SeedanceApi {
  return {
    async createTask(...args) {
      await spacing.turn();
      return client.createTask(...args);
    },
    async getTask(...args) {
      await spacing.turn();
      return client.getTask(...args);
    },
  };
}
