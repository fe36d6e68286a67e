import type { ServerResponse } from 'node:http';
import { noteGatewayEnd, SHUTTING_DOWN_END } from './proxy/gateway-end.ts';

// Graceful shutdown state: whether the gateway is draining, how many responses are still
// open, and a signal that fires when the drain time is up and open streams must be ended.

export class Lifecycle {
  #draining = false;
  readonly #drain = new AbortController();
  /** Fires when draining starts: background work (shadow traffic) stops then, for good. */
  readonly drainSignal = this.#drain.signal;
  readonly #open = new Set<ServerResponse>();
  #idleWaiters: Array<() => void> = [];
  readonly #forceClose = new AbortController();
  /** Fires when the drain timeout ran out: open streams end with a `shutting_down` error event. */
  readonly forceCloseSignal = this.#forceClose.signal;

  get draining(): boolean {
    return this.#draining;
  }

  set draining(on: boolean) {
    this.#draining = on;
    if (on) this.#drain.abort();
  }

  get inflight(): number {
    return this.#open.size;
  }

  /** Counts a response as open until its socket side is closed, whatever the reason. */
  track(outgoing: ServerResponse): void {
    this.#open.add(outgoing);
    outgoing.once('close', () => {
      this.#open.delete(outgoing);
      if (this.#open.size === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    });
  }

  /** Resolves true when nothing is in flight, or false if `timeoutMs` passed first. */
  waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.#open.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Ends what is still open; each request's log line says the gateway ended it (503 shutting_down). */
  forceClose(): void {
    for (const outgoing of this.#open) noteGatewayEnd(outgoing.req, SHUTTING_DOWN_END);
    this.#forceClose.abort();
  }
}
