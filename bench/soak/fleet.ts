/**
 * Three production worker processes, each as if on its own machine: its own working directory and
 * TMPDIR, the same environment otherwise. A killed worker is replaced by a new process in the same
 * directories, as a supervisor would; a worker that dies on its own is replaced too, and counted.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startWorkerProcess, type WorkerProcess } from '../../test/helpers/worker-process';

/** Restarted workers may wait for a Temporal server that is itself restarting. */
const READY_TIMEOUT_MS = 180_000;

interface Slot {
  name: string;
  cwd: string;
  tmp: string;
  process: WorkerProcess;
  /** Set once the current process printed its start line. */
  ready: boolean;
  /** Set when the soak killed the current process on purpose. */
  killed: boolean;
}

export interface FleetFigures {
  starts: number;
  /** From spawn to the start line, per start that got there (bundling the workflow code included). */
  startupMs: number[];
  kills: number;
  /** When each killed worker process died, by pid: tells whose in-flight work a kill lost. */
  killedAt: Map<number, number>;
  /** Exits the soak did not cause, with the end of the worker's log. */
  unexpectedExits: { worker: string; code: number | null; logTail: string }[];
}

export class WorkerFleet {
  readonly figures: FleetFigures = { starts: 0, startupMs: [], kills: 0, killedAt: new Map(), unexpectedExits: [] };
  private stopping = false;
  private readonly processes: WorkerProcess[] = [];

  private constructor(
    private readonly env: Record<string, string>,
    private readonly slots: Slot[],
  ) {}

  static async start(root: string, count: number, env: Record<string, string>): Promise<WorkerFleet> {
    const fleet = new WorkerFleet(env, []);
    for (let i = 1; i <= count; i++) {
      const name = `worker-${i}`;
      const cwd = path.join(root, name, 'cwd');
      const tmp = path.join(root, name, 'tmp');
      await fs.mkdir(cwd, { recursive: true });
      await fs.mkdir(tmp, { recursive: true });
      const slot = { name, cwd, tmp, ready: false, killed: false } as Slot;
      fleet.slots.push(slot);
    }
    await Promise.all(fleet.slots.map((slot) => fleet.launch(slot)));
    await Promise.all(fleet.slots.map((slot) => slot.process.ready));
    return fleet;
  }

  /**
   * Kills a random ready worker with SIGKILL and starts its replacement. Only while another worker
   * is ready: a fleet kept entirely in start-up (bundling its workflow code) would test nothing.
   * Undefined when it killed none.
   */
  async killOne(pick: <T>(items: readonly T[]) => T): Promise<string | undefined> {
    const ready = this.slots.filter((slot) => slot.ready);
    if (ready.length < 2) return undefined;
    const slot = pick(ready);
    slot.killed = true;
    slot.ready = false;
    await slot.process.kill('SIGKILL');
    this.figures.kills++;
    this.figures.killedAt.set(slot.process.pid, Date.now());
    await this.launch(slot);
    return slot.name;
  }

  /** The lines every worker process printed (killed ones included) that contain `text`. */
  logLinesWith(text: string): string[] {
    return this.processes.flatMap((worker) =>
      worker
        .log()
        .split('\n')
        .filter((line) => line.includes(text))
        .map((line) => `[pid ${worker.pid}] ${line}`),
    );
  }

  readyCount(): number {
    return this.slots.filter((slot) => slot.ready).length;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.slots.map((slot) => slot.process?.kill('SIGKILL')));
  }

  private async launch(slot: Slot): Promise<void> {
    const spawnedAt = Date.now();
    const worker = await startWorkerProcess({ ...this.env, TMPDIR: slot.tmp }, READY_TIMEOUT_MS, {
      cwd: slot.cwd,
      waitUntilReady: false,
    });
    this.figures.starts++;
    this.processes.push(worker);
    slot.process = worker;
    slot.killed = false;
    slot.ready = false;
    worker.ready.then(
      () => {
        this.figures.startupMs.push(Date.now() - spawnedAt);
        if (slot.process === worker) slot.ready = true;
      },
      () => undefined, // seen by the exit handler below
    );
    void worker.exited.then((code) => this.onExit(slot, worker, code));
  }

  private async onExit(slot: Slot, worker: WorkerProcess, code: number | null): Promise<void> {
    if (this.stopping || slot.process !== worker || slot.killed) return;
    slot.ready = false;
    this.figures.unexpectedExits.push({
      worker: slot.name,
      code,
      logTail: worker.log().split('\n').slice(-15).join('\n'),
    });
    await this.launch(slot);
  }
}
