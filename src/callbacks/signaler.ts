/**
 * The receiver's one effect: a `checkNow` signal to a workflow. A port, so the relay and the HTTP
 * server are tested with a recording fake, and a Temporal implementation on `@temporalio/client`.
 */
import { Client, WorkflowNotFoundError, type ConnectionLike } from '@temporalio/client';
import { checkNowSignal } from '../contract/definitions';
import type { CheckNowInput } from '../contract/types';

export type SignalOutcome = 'sent' | 'not-found';

export interface CallbackSignaler {
  /**
   * Sends `checkNow(input)` to the workflow's current run. Resolves `not-found` when no such
   * workflow is running (never started, or already closed); throws when Temporal cannot be
   * reached or refuses (the receiver answers 503 and the provider retries).
   */
  signal(workflowId: string, input: CheckNowInput): Promise<SignalOutcome>;
}

/**
 * How long one signal may take, retries of the connection included (default 3 s): the provider
 * waits 5 s for an answer, so a slow Temporal gets a 503 (and a retry from the provider) in time.
 * Without a deadline the client retries an unreachable server for about 20 s.
 */
export const DEFAULT_SIGNAL_TIMEOUT_MS = 3_000;
const TIMER_SLACK_MS = 250;

/** Temporal did not answer a signal within the signaler's timeout. */
export class SignalTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Temporal did not answer the signal within ${timeoutMs} ms`);
    this.name = 'SignalTimeoutError';
  }
}

export type TemporalSignalerOptions = (
  | { client: Client }
  | {
      /** A client `Connection` or the worker's `NativeConnection` (a `Client` accepts either). */
      connection: ConnectionLike;
      namespace: string;
    }
) & {
  /** Deadline for each signal; default {@link DEFAULT_SIGNAL_TIMEOUT_MS}. */
  timeoutMs?: number;
};

export interface TemporalSignaler extends CallbackSignaler {
  /**
   * Resolves once every signal call made so far has ended: one the signaler gave up on may still
   * be retried by the client for a while. Await it after closing the receiver and before closing
   * the connection (the client's retry timer fails on a closed connection).
   */
  drain(): Promise<void>;
}

/**
 * A signaler on Temporal. Pass the worker's connection to share it:
 *
 * @example
 * const signaler = createTemporalSignaler({ connection: nativeConnection, namespace: 'default' });
 * const receiver = await startCallbackReceiver({ host: '0.0.0.0', port: 8088, secret, signaler });
 */
export function createTemporalSignaler(options: TemporalSignalerOptions): TemporalSignaler {
  const client =
    'client' in options ? options.client : new Client({ connection: options.connection, namespace: options.namespace });
  const timeoutMs = options.timeoutMs ?? DEFAULT_SIGNAL_TIMEOUT_MS;
  const calls = new Set<Promise<unknown>>();
  return {
    async drain() {
      while (calls.size > 0) await Promise.allSettled([...calls]);
    },

    async signal(workflowId, input) {
      // A client `Connection` ends the call at the deadline (its error tells why); a
      // `NativeConnection` applies the deadline to each attempt and keeps retrying (about 10 s
      // against a dead server), so a timer a little later bounds our wait either way. A signal
      // that lands after we gave up is harmless: it is a hint.
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SignalTimeoutError(timeoutMs)), timeoutMs + TIMER_SLACK_MS);
      });
      const call = client.connection.withDeadline(Date.now() + timeoutMs, () =>
        client.workflow.getHandle(workflowId).signal(checkNowSignal, input),
      );
      calls.add(call);
      void call.then(
        () => calls.delete(call),
        () => calls.delete(call),
      );
      try {
        await Promise.race([call, timedOut]);
        return 'sent';
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return 'not-found';
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
