import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';

// Announces approvals to a webhook, off every request's path: `post` only queues. A few
// workers send each body with a per-attempt timeout and a bounded number of retries
// (network errors, timeouts, 429 and 5xx; another status is final), backing off between
// attempts. The queue is bounded: past it, the oldest waiting body is dropped and logged,
// so a dead webhook costs a fixed amount of memory. Draining stops the workers.

export interface WebhookPosterOptions {
  readonly url: string;
  /** Signs each body (HMAC-SHA256 over `timestamp.body`), so the receiver can trust it. */
  readonly secret?: string;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly maxQueued: number;
  readonly logger: Logger;
  /** Fires when the gateway drains: sending stops. */
  readonly stopSignal?: AbortSignal;
  /** First backoff; doubled per attempt up to 30 s. */
  readonly backoffMs?: number;
  /** Bodies sent at the same time. */
  readonly concurrency?: number;
}

export interface WebhookStats {
  delivered: number;
  /** Gave up after the last attempt, or on a final status. */
  failed: number;
  /** Dropped from a full queue. */
  dropped: number;
}

export class WebhookPoster {
  readonly #options: WebhookPosterOptions;
  readonly #queue: string[] = [];
  readonly #idleWaiters: Array<() => void> = [];
  #busy = 0;
  readonly stats: WebhookStats = { delivered: 0, failed: 0, dropped: 0 };

  constructor(options: WebhookPosterOptions) {
    this.#options = options;
  }

  /** Queues a JSON body; never throws and never waits. */
  post(payload: unknown): void {
    if (this.#options.stopSignal?.aborted) return;
    if (this.#queue.length >= this.#options.maxQueued) {
      this.#queue.shift();
      this.stats.dropped++;
      this.#options.logger.warn({ webhook: 'approvals', queued: this.#queue.length }, 'approval webhook queue is full: the oldest waiting post was dropped');
    }
    this.#queue.push(JSON.stringify(payload));
    if (this.#busy < (this.#options.concurrency ?? 2)) void this.#work();
  }

  /** Resolves once nothing is queued or being sent. */
  idle(): Promise<void> {
    if (this.#busy === 0 && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #work(): Promise<void> {
    this.#busy++;
    try {
      for (let body = this.#queue.shift(); body !== undefined; body = this.#queue.shift()) {
        if (this.#options.stopSignal?.aborted) {
          this.#queue.length = 0;
          break;
        }
        await this.#deliver(body);
      }
    } finally {
      this.#busy--;
      if (this.#busy === 0 && this.#queue.length === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }

  async #deliver(body: string): Promise<void> {
    const { retries, logger } = this.#options;
    let last = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0 && !(await this.#backoff(attempt))) break;
      const outcome = await this.#attempt(body);
      if (outcome === 'ok') {
        this.stats.delivered++;
        return;
      }
      last = outcome.reason;
      if (!outcome.retry) break;
    }
    this.stats.failed++;
    logger.warn({ webhook: 'approvals', reason: last }, 'approval webhook post failed; the approval stays pending (see GET /admin/approvals)');
  }

  async #attempt(body: string): Promise<'ok' | { retry: boolean; reason: string }> {
    const { url, secret, timeoutMs, stopSignal } = this.#options;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'tollgate-approvals' };
    if (secret !== undefined) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      headers['x-tollgate-timestamp'] = timestamp;
      headers['x-tollgate-signature'] = `sha256=${signature(secret, timestamp, body)}`;
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = stopSignal === undefined ? timeout : AbortSignal.any([timeout, stopSignal]);
    try {
      // Redirects are not followed: the configured URL is the only place a body goes.
      const response = await fetch(url, { method: 'POST', headers, body, signal, redirect: 'manual' });
      await response.body?.cancel().catch(() => {});
      if (response.status >= 200 && response.status < 300) return 'ok';
      return { retry: response.status === 429 || response.status >= 500, reason: `status ${response.status}` };
    } catch (err) {
      const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message;
      return { retry: !stopSignal?.aborted, reason: String(reason).slice(0, 200) };
    }
  }

  /** Waits before a retry; false when draining began meanwhile. */
  #backoff(attempt: number): Promise<boolean> {
    const ms = Math.min((this.#options.backoffMs ?? 500) * 2 ** (attempt - 1), 30_000);
    const stop = this.#options.stopSignal;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        stop?.removeEventListener('abort', onStop);
        resolve(ok);
      };
      const onStop = () => done(false);
      const timer = setTimeout(() => done(true), ms);
      stop?.addEventListener('abort', onStop, { once: true });
    });
  }
}

/** Hex HMAC-SHA256 of `timestamp.body`: what a receiver recomputes to check `x-tollgate-signature`. */
export function signature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}
