/**
 * The resident memory of another process on Linux, from `/proc/<pid>/status`: the current RSS
 * (`VmRSS`) and its peak (`VmHWM`). Writing 5 to `/proc/<pid>/clear_refs` sets the peak back to the
 * current RSS, so after `resetPeak` `VmHWM` is the exact peak of the window that follows, with no
 * sample missed between polls.
 */
import { promises as fs } from 'node:fs';

export const MIB = 1024 * 1024;

export interface ResidentMemory {
  /** Bytes resident now. */
  rss: number;
  /** The peak resident bytes since the process started or the last `resetPeak`. */
  peak: number;
}

export async function residentMemory(pid: number): Promise<ResidentMemory> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return { rss: kibField(status, 'VmRSS') * 1024, peak: kibField(status, 'VmHWM') * 1024 };
}

/** Starts a new peak window: `VmHWM` drops to the current RSS. */
export async function resetPeak(pid: number): Promise<void> {
  await fs.writeFile(`/proc/${pid}/clear_refs`, '5');
}

/** The highest RSS seen by polling every `intervalMs` until `stop()` (a cross-check of `VmHWM`). */
export function sampleResidentMemory(pid: number, intervalMs = 50): { stop(): Promise<number> } {
  let highest = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const memory = await residentMemory(pid).catch(() => undefined);
      if (memory) highest = Math.max(highest, memory.rss);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return highest;
    },
  };
}

function kibField(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!match) throw new Error(`no ${name} in /proc/<pid>/status`);
  return Number(match[1]);
}
