import type { ServerResponse } from 'node:http';

// Graceful shutdown state: whether the gateway is draining, how many responses are still
// open, and a signal that fires when the drain time is up and open streams must be ended.

export class Lifecycle {
  #draining = false;
  readonly #drain = new AbortController();
  /** Fires when draining starts: background work (shadow traffic) stops then, for good. */
  readonly drainSignal = this.#drain.signal;
  #inflight = 0;
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
    return this.#inflight;
  }

  /** Counts a response as open until its socket side is closed, whatever the reason. */
  track(outgoing: ServerResponse): void {
    this.#inflight++;
    outgoing.once('close', this.#onClose);
  }

  readonly #onClose = () => {
    this.#inflight--;
    if (this.#inflight === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
  };

  /** Resolves true when nothing is in flight, or false if `timeoutMs` passed first. */
  waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.#inflight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  forceClose(): void {
    this.#forceClose.abort();
  }
}
