/** The simulator's public surface: its options, the tasks tests add, and the handle tests drive. */
import type { ServiceTier } from '../seedance/models';
import type { RequestLogEntry } from './exchange';
import type { Fault } from './faults';
import type { ModelArkSimulator } from './modelark/types';
import type { SimulatorProfile, TaskTiming } from './profiles';
import type { SimTask, TaskOutcome } from './tasks';

/** Options both provider modes take. */
export interface CommonSimulatorOptions {
  /** Bearer key required on the API endpoints (never on the file host); default 'sim-key'. */
  apiKey?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Ms since epoch; may be async (the time-skipping test server's clock). Default Date.now. */
  clock?: () => number | Promise<number>;
  profile?: SimulatorProfile;
  /**
   * How long a task created through the API queues and renders, from its request (benchmarks and
   * tests that need given completion times); undefined, or no answer: the profile's timing.
   */
  timingFor?: (request: { model: string; prompt: string }) => TaskTiming | undefined;
  /** The bytes served for completed tasks; default assets/sample.mp4. */
  video?: Buffer;
  /**
   * Lifetime of a signed video URL. Reseller: from the status read that issued it, default 1 day.
   * ModelArk: from the task's completion (the same URL on every read), default 24 h.
   */
  urlTtlMs?: number;
  /** Tasks older than this answer 404. Reseller default 1 day; ModelArk default 7 days. */
  retentionMs?: number;
  /** Persist tasks here (JSON) and load them at start (a file holds one provider mode's tasks). */
  stateFile?: string;
}

/** The reseller mode (the default): `POST /v1/seedance/videos`, `GET /v1/result/{id}`. */
export interface SimulatorOptions extends CommonSimulatorOptions {
  provider?: 'reseller';
}

export interface AddTaskInput {
  id?: string;
  model?: string;
  createdMs?: number;
  outcome?: TaskOutcome;
  error?: string;
  timing?: TaskTiming;
  serviceTier?: ServiceTier;
  actualDuration?: number;
}

/** What both provider modes' handles offer; `Task`, `AddInput`, `Outcome`, `OutcomeError` are the mode's own. */
export interface SimulatorHandle<Task, AddInput, Outcome, OutcomeError> {
  /** Base URL, e.g. http://127.0.0.1:43123; the API paths hang off it. */
  readonly url: string;
  /** The bytes served for completed tasks (they change after a `changeEtag` fault). */
  readonly video: Buffer;
  readonly videoSha256: string;
  /** Every request in arrival order. */
  readonly requests: RequestLogEntry[];
  /** POSTs that created a task (including ones whose response was dropped). */
  createCount(): number;
  addTask(t?: AddInput): Promise<Task>;
  /** The live task record. */
  getTask(id: string): Task | undefined;
  /** Changes what a task turns into once its timing has run out. */
  setOutcome(id: string, outcome: Outcome, error?: OutcomeError): void;
  inject(fault: Fault): void;
  clearFaults(): void;
  /** A signed file URL for a task, as a completed status read would hand out. */
  signedVideoUrl(taskId: string, expiresAtMs: number): string;
  /** Called once per request when its exchange ends (response sent, or connection closed). */
  onRequest?: (entry: RequestLogEntry) => void;
  /** Stops listening and destroys open connections (hung and streaming ones included). */
  close(): Promise<void>;
}

/** The reseller mode's handle. */
export interface Simulator extends SimulatorHandle<SimTask, AddTaskInput, TaskOutcome, string> {
  readonly provider: 'reseller';
}

/** Either mode's handle, for helpers that only read what both have (`requests`, `url`, `video`...). */
export type AnySimulator = Simulator | ModelArkSimulator;
