/**
 * The chaos: every few seconds a random ready worker is killed with SIGKILL and replaced; once, the
 * Temporal server is killed with SIGKILL and restarted on the same SQLite file and port.
 */
import type { DevServer } from '../../src/testing/dev-server';
import type { WorkerFleet } from './fleet';
import type { Random } from './random';

export interface ChaosFigures {
  kills: number;
  /** Ticks that killed nobody, to keep one worker ready while the others start. */
  skipped: number;
  serverRestarts: number;
  /** How long the server was unreachable: from its kill until it answered again. */
  serverDownMs: number;
  /** When the server was killed (ms since epoch), if it was. */
  serverKilledAt?: number;
}

export class Chaos {
  readonly figures: ChaosFigures = { kills: 0, skipped: 0, serverRestarts: 0, serverDownMs: 0 };
  private stopped = false;
  private readonly wakers = new Set<() => void>();
  private readonly loop: Promise<void>;
  private serverRestart: Promise<void> = Promise.resolve();

  constructor(
    private readonly fleet: WorkerFleet,
    private readonly server: DevServer,
    private readonly random: Random,
    private readonly killEveryMs: readonly [number, number],
  ) {
    this.loop = this.killWorkers();
  }

  /** Kills and restarts the server after `delayMs` (once). */
  restartServerIn(delayMs: number): void {
    this.serverRestart = this.pause(delayMs).then(async () => {
      if (this.stopped) return;
      const down = Date.now();
      this.figures.serverKilledAt = down;
      await this.server.kill('SIGKILL');
      await this.server.restart();
      this.figures.serverDownMs = Date.now() - down;
      this.figures.serverRestarts++;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.wakers) wake();
    await this.loop;
    await this.serverRestart;
  }

  private async killWorkers(): Promise<void> {
    while (!this.stopped) {
      await this.pause(this.random.int(...this.killEveryMs));
      if (this.stopped) return;
      const killed = await this.fleet.killOne((items) => this.random.pick(items));
      if (killed) this.figures.kills++;
      else this.figures.skipped++;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
