/**
 * Spaces one worker process's API requests at least `1 / rate` seconds apart. Temporal hands the
 * `-api` queue's tasks out at the fleet's rate; a worker process whose event loop was busy (GC, a
 * burst of workflow activations) would otherwise start the tasks that arrived meanwhile all at
 * once, and the provider would see a burst that Temporal never dispatched. No process's share
 * exceeds the fleet's rate, so the spacing only undoes such bunching.
 */
import type { VideoTaskProvider } from '../seedance/provider';

export class RequestSpacing {
  /** When the last turn began (resolves once it has). */
  private lastStart: Promise<number> = Promise.resolve(Number.NEGATIVE_INFINITY);

  constructor(
    private readonly minGapMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Waits for this request's turn: at least the gap after the previous turn actually began. Turns
   * queue in arrival order, each timed from the one before it rather than from a slot given on
   * arrival, so a timer that fires late (a busy event loop) cannot bunch the turns behind it.
   */
  async turn(): Promise<void> {
    const previous = this.lastStart;
    let began!: (at: number) => void;
    this.lastStart = new Promise((resolve) => (began = resolve));
    const wait = (await previous) + this.minGapMs - this.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    began(this.now());
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
