/**
 * Optional persistence of the tasks (and the URL-signing secret, so links survive a restart) to a
 * JSON file: written atomically on every change, read at start. One file holds one provider
 * mode's tasks (`provider` absent: the reseller, as files written before the ModelArk mode).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ProviderName } from '../seedance/provider';

export interface PersistedState<Task = unknown> {
  version: 1;
  provider?: ProviderName;
  secret: string; // hex
  tasks: Task[];
}

export function loadState(file: string): PersistedState | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<PersistedState>;
  if (parsed.version !== 1 || typeof parsed.secret !== 'string' || !Array.isArray(parsed.tasks)) {
    throw new Error(`simulator state file ${file} is not a version 1 state`);
  }
  return parsed as PersistedState;
}

/** Synchronous and atomic: a simulator killed with -9 right after a create still knows the task. */
export function saveState(file: string, state: PersistedState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}
