/**
 * The contract between the shared server (simulator.ts: HTTP, request log, faults, clock, file
 * host, state file) and one provider's API (the reseller's in reseller.ts, ModelArk's in
 * modelark/). A mode answers its own routes and errors and owns its tasks; the server does the rest.
 */
import type { ProviderName } from '../seedance/provider';
import type { Exchange } from './exchange';
import type { Fault } from './faults';
import type { SimulatorProfile } from './profiles';
import type { GatewayErrorFault } from './responses';
import type { Route } from './routes';
import type { CommonSimulatorOptions } from './types';

/** The files the file host serves per task. */
export type FileKind = 'video' | 'lastFrame';

/** What the server lends a mode. */
export interface ModeContext {
  readonly options: CommonSimulatorOptions;
  readonly profile: SimulatorProfile;
  now(): Promise<number>;
  /** Writes the state file (when there is one); call after every change to the tasks. */
  persist(): void;
  /** A signed file-host URL that expires at `expiresAtMs` (clock ms). */
  fileUrl(taskId: string, file: FileKind, expiresAtMs: number): string;
  /** Counts a POST that created a task, for `createCount()`. */
  countCreate(): void;
}

/** One request the server routed to the mode, after the gateway faults. */
export interface ApiRequest {
  route: Route;
  query: URLSearchParams;
  /** The clock when the request arrived. */
  now: number;
  /** The fault this request took that is not a gateway fault (e.g. `dropResponse`). */
  fault: Fault | undefined;
}

export interface ApiMode<Task, AddInput, Outcome, OutcomeError> {
  readonly provider: ProviderName;
  /** Whether the file host serves last-frame PNGs (`/files/<id>.png`). */
  readonly lastFrames: boolean;
  /** This API's route for a path; undefined when the API has no such path. */
  classify(method: string, path: string): Route | undefined;
  handle(ex: Exchange, request: ApiRequest): Promise<void>;
  /** This API's JSON error for unknown paths (404), wrong methods (405) and simulator crashes (500). */
  sendError(ex: Exchange, status: 404 | 405 | 500, message: string, headers?: Record<string, string>): void;
  /** This API's JSON body for the `status` and `rateLimit` gateway faults. */
  sendFaultError(ex: Exchange, fault: GatewayErrorFault): void;
  /** Whether the file host has this file at `now` (the task is kept, finished, and has that file). */
  hasFile(taskId: string, file: FileKind, now: number): boolean;
  /** Sees the clock on every request (before any fault), e.g. to send due callbacks. */
  observe(now: number): void;
  /** The tasks to persist. */
  snapshot(): Task[];
  addTask(input: AddInput, createdMs: number): Task;
  getTask(id: string): Task | undefined;
  setOutcome(id: string, outcome: Outcome, error?: OutcomeError): void;
  /** Stops the mode's own timers and outbound requests. */
  close(): Promise<void>;
}
