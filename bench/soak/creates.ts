/** The simulator's paid creates, counted by request (the prompt carries the soak's request key). */
import type { Simulator } from '../../src/simulator';

export function createsByRequest(sim: Simulator): Map<string, number> {
  const creates = new Map<string, number>();
  for (const entry of sim.requests) {
    if (entry.kind !== 'create' || !entry.taskId || !entry.createRequest) continue;
    const key = promptOf(entry.createRequest);
    creates.set(key, (creates.get(key) ?? 0) + 1);
  }
  return creates;
}

export function promptOf(request: { content: readonly { type: string; text?: string }[] }): string {
  return request.content.find((item) => item.type === 'text')?.text ?? '';
}
