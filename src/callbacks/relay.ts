/**
 * From a parsed callback to an HTTP status: decides (handleCallback), deduplicates, signals, counts
 * and logs. Transport-free, so the HTTP server stays thin and another server can embed it.
 *
 * Acknowledgement: 200 once the signal is sent or the workflow is known not to exist (the answer
 * does not reveal which ids exist), 503 when Temporal cannot be reached (the provider retries
 * `succeeded`/`failed` callbacks three more times). Logs name the workflow, task, status and
 * outcome; never the query (it holds the signature) nor the body.
 */
import type { Logger } from '@temporalio/common';
import { handleCallback, type CallbackRequest, type CallbackRoute, type CallbackSignal } from './handle-callback';
import { RecentKeys } from './dedupe';
import type { CallbackSignaler } from './signaler';

/** The logger calls the receiver makes: a Temporal `Logger` (e.g. `Runtime.instance().logger`) fits. */
export type CallbackLogger = Pick<Logger, 'debug' | 'info' | 'warn'>;

/**
 * What became of one request:
 * - `rejected`: unreadable (400), or refused by the HTTP layer (404, 405, 408, 413);
 * - `dropped`: a `queued` or `processing` callback, acknowledged without a signal;
 * - `deduplicated`: the same workflow and status was signalled within the window (or is being signalled);
 * - `signalled`: the `checkNow` signal was sent;
 * - `not-found`: no such workflow is running, acknowledged all the same;
 * - `unavailable`: Temporal could not be reached (503);
 * - `overloaded`: too many signals in flight (503).
 */
export type CallbackOutcome =
  'rejected' | 'dropped' | 'deduplicated' | 'signalled' | 'not-found' | 'unavailable' | 'overloaded';

export interface CallbackResult {
  httpStatus: 200 | 400 | 503;
  outcome: CallbackOutcome;
  /** For a 400: what is wrong with the body. */
  problem?: string;
}

/** Counters since start, one per outcome, plus how many requests carried a signature that did not verify. */
export interface CallbackStats {
  received: number;
  rejected: number;
  dropped: number;
  deduplicated: number;
  signalled: number;
  notFound: number;
  unavailable: number;
  overloaded: number;
  badSignatures: number;
}

export interface CallbackRelayOptions {
  secret: string;
  signaler: CallbackSignaler;
  /** Default: info and warn lines on the console, no debug. */
  logger?: CallbackLogger;
  /** The same workflow and status within this window cost one signal (default 5 s). */
  dedupeWindowMs?: number;
  /** Most (workflow, status) pairs remembered (default 4096). */
  dedupeMaxEntries?: number;
  /** Signals in flight at once; beyond it callbacks get 503 (default 64). */
  maxConcurrentSignals?: number;
  /** Clock for the dedupe window (default `Date.now`). */
  now?: () => number;
}

export const DEFAULT_MAX_CONCURRENT_SIGNALS = 64;

export interface CallbackRelay {
  /** Handles one callback whose body was read and parsed as JSON. */
  relay(request: CallbackRequest): Promise<CallbackResult>;
  /** Counts (and logs at debug) a request refused before it reached `relay`. */
  refused(httpStatus: number, problem: string): void;
  readonly stats: Readonly<CallbackStats>;
}

type SignalResult = 'signalled' | 'not-found' | 'unavailable';

export function createCallbackRelay(options: CallbackRelayOptions): CallbackRelay {
  const { secret, signaler } = options;
  const logger = options.logger ?? consoleLogger;
  const now = options.now ?? Date.now;
  const maxConcurrent = options.maxConcurrentSignals ?? DEFAULT_MAX_CONCURRENT_SIGNALS;
  const recent = new RecentKeys({ windowMs: options.dedupeWindowMs, maxEntries: options.dedupeMaxEntries });
  /** Signals on their way, by dedupe key: identical callbacks arriving meanwhile wait for the same one. */
  const inFlight = new Map<string, Promise<SignalResult>>();
  const stats: CallbackStats = {
    received: 0,
    rejected: 0,
    dropped: 0,
    deduplicated: 0,
    signalled: 0,
    notFound: 0,
    unavailable: 0,
    overloaded: 0,
    badSignatures: 0,
  };
  let overloadWarnedAtMs = -Infinity;

  async function send(signal: CallbackSignal, meta: LogMeta): Promise<SignalResult> {
    try {
      const outcome = await signaler.signal(signal.workflowId, signal.input);
      return outcome === 'sent' ? 'signalled' : 'not-found';
    } catch (error) {
      logger.warn('callback not relayed: Temporal unavailable, answering 503', { ...meta, error: describe(error) });
      return 'unavailable';
    }
  }

  return {
    stats,

    refused(httpStatus, problem) {
      stats.received += 1;
      stats.rejected += 1;
      logger.debug('callback refused', { httpStatus, problem });
    },

    async relay(request) {
      stats.received += 1;
      const decision = handleCallback(request, { secret });
      if (decision.httpStatus === 400) {
        stats.rejected += 1;
        logger.debug('callback rejected', { problem: decision.problem });
        return { httpStatus: 400, outcome: 'rejected', problem: decision.problem };
      }
      const { workflowId, taskId, status, route, signal } = decision;
      if (decision.badSignature) stats.badSignatures += 1;
      const meta: LogMeta = { workflowId, taskId, status, route, badSignature: decision.badSignature };
      if (!signal) {
        stats.dropped += 1;
        logger.debug('callback dropped: nothing to check', { ...meta, outcome: 'dropped' });
        return { httpStatus: 200, outcome: 'dropped' };
      }

      const key = JSON.stringify([workflowId, status]);
      const pending = inFlight.get(key);
      if (pending || recent.has(key, now())) {
        stats.deduplicated += 1;
        logger.debug('callback deduplicated', { ...meta, outcome: 'deduplicated' });
        const httpStatus = pending && (await pending) === 'unavailable' ? 503 : 200;
        return { httpStatus, outcome: 'deduplicated' };
      }
      if (inFlight.size >= maxConcurrent) {
        stats.overloaded += 1;
        if (now() - overloadWarnedAtMs >= recent.windowMs) {
          overloadWarnedAtMs = now();
          logger.warn('callbacks shed: too many signals in flight, answering 503', { ...meta, maxConcurrent });
        }
        return { httpStatus: 503, outcome: 'overloaded' };
      }

      const sending = send(signal, meta);
      inFlight.set(key, sending);
      let result: SignalResult;
      try {
        result = await sending;
      } finally {
        inFlight.delete(key);
      }
      if (result === 'unavailable') {
        stats.unavailable += 1;
        return { httpStatus: 503, outcome: 'unavailable' };
      }
      // Only an answered signal opens a window: after a 503 the provider's retry must get through.
      recent.add(key, now());
      if (result === 'signalled') stats.signalled += 1;
      else stats.notFound += 1;
      logger.info('callback relayed', { ...meta, outcome: result });
      return { httpStatus: 200, outcome: result };
    },
  };
}

interface LogMeta {
  workflowId: string;
  taskId: string;
  status: string;
  route: CallbackRoute;
  badSignature: boolean;
  [key: string]: unknown;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.name}: ${error.message}${cause}`;
}

const consoleLogger: CallbackLogger = {
  debug() {},
  info(message, meta) {
    console.log(`seedance callback receiver: ${message}`, meta ? JSON.stringify(meta) : '');
  },
  warn(message, meta) {
    console.warn(`seedance callback receiver: ${message}`, meta ? JSON.stringify(meta) : '');
  },
};
