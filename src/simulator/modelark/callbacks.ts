/**
 * ModelArk callbacks (shared/modelark-api.md section 6): on each status change of a task created
 * with a `callback_url`, a POST of the task JSON (the GET body) with `Content-Type:
 * application/json`. A `succeeded` or `failed` callback without a 2xx answer within the ack timeout
 * (documented: 5 s) is sent three more times. Undocumented, our choices: any 2xx acknowledges;
 * attempt n+1 starts `retryDelayMs` after attempt n started (or when it ended, if later); one
 * task's callbacks go out one after another, in status order; no signature header.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { ModelArkStatus } from './tasks';
import { setMaxListeners } from 'node:events';

export interface CallbackPolicy {
  ackTimeoutMs: number;
  retryDelayMs: number;
  /** Further attempts for an unacknowledged `succeeded` or `failed` callback. */
  retries: number;
}

export interface CallbackAttempt {
  taskId: string;
  url: string;
  /** The status this callback reports. */
  status: ModelArkStatus;
  /** 1 for the first call; retries count on. */
  attempt: number;
  /** Real time (Date.now) when the attempt started: retries are spaced in real time. */
  sentAtMs: number;
  /** False while the attempt waits for its answer. */
  done: boolean;
  /** A 2xx arrived within the ack timeout. */
  acknowledged: boolean;
  /** The receiver's HTTP status, when it answered. */
  httpStatus?: number;
  /** Why no answer came: `timeout`, `closed` (the simulator closed), or the connection error's code. */
  error?: string;
  /** The JSON body sent. */
  body: Record<string, unknown>;
}

export interface CallbackDelivery {
  taskId: string;
  url: string;
  status: ModelArkStatus;
  body: Record<string, unknown>;
}

export class CallbackSender {
  readonly attempts: CallbackAttempt[] = [];
  onAttempt?: ((attempt: CallbackAttempt) => void) | undefined;
  /** Each task's last queued delivery, so its callbacks go out in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  /** Every sleep and POST in flight listens to it: as many as there are callbacks under way. */
  private readonly stop = unlimitedListeners(new AbortController());

  constructor(private readonly policy: CallbackPolicy) {}

  /** Queues one status change's callback behind the task's earlier ones. */
  send(delivery: CallbackDelivery): void {
    const previous = this.chains.get(delivery.taskId) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(delivery));
    this.chains.set(delivery.taskId, next);
    this.pending.add(next);
    void next.finally(() => {
      this.pending.delete(next);
      if (this.chains.get(delivery.taskId) === next) this.chains.delete(delivery.taskId);
    });
  }

  /** Resolves when every callback queued so far has ended, retries included. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Aborts the attempts in flight and the waits between retries. */
  close(): Promise<void> {
    this.stop.abort();
    return this.idle();
  }

  private async deliver(delivery: CallbackDelivery): Promise<void> {
    const retried = delivery.status === 'succeeded' || delivery.status === 'failed';
    const attempts = retried ? 1 + this.policy.retries : 1;
    for (let attempt = 1; attempt <= attempts && !this.stop.signal.aborted; attempt++) {
      const startedAt = Date.now();
      if (await this.attempt(delivery, attempt)) return;
      if (attempt < attempts) await this.sleep(startedAt + this.policy.retryDelayMs - Date.now());
    }
  }

  /** One POST; true when acknowledged. */
  private async attempt(delivery: CallbackDelivery, attempt: number): Promise<boolean> {
    const record: CallbackAttempt = {
      taskId: delivery.taskId,
      url: delivery.url,
      status: delivery.status,
      attempt,
      sentAtMs: Date.now(),
      done: false,
      acknowledged: false,
      body: delivery.body,
    };
    this.attempts.push(record);
    const result = await post(delivery.url, JSON.stringify(delivery.body), this.policy.ackTimeoutMs, this.stop.signal);
    if ('status' in result) record.httpStatus = result.status;
    else record.error = result.error;
    record.acknowledged = 'status' in result && result.status >= 200 && result.status < 300;
    record.done = true;
    this.onAttempt?.(record);
    return record.acknowledged;
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stop.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.stop.signal.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.stop.signal.addEventListener('abort', wake);
    });
  }
}

/** POSTs on a fresh connection (no keep-alive left behind); the status once the headers arrive. */
function post(
  url: string,
  body: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: { status: number } | { error: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let req: http.ClientRequest;
    try {
      const client = url.startsWith('https:') ? https : http;
      req = client.request(url, {
        method: 'POST',
        agent: false,
        signal,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'User-Agent': 'seedance-simulator (ModelArk callback)',
        },
      });
    } catch (error) {
      return resolve({ error: error instanceof Error ? error.message : String(error) });
    }
    const timer = setTimeout(() => {
      settle({ error: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      settle({ status: res.statusCode ?? 0 });
      res.resume();
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      settle({ error: signal.aborted ? 'closed' : (error.code ?? error.message) }),
    );
    req.end(body);
  });
}

function unlimitedListeners(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}
