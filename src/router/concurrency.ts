import { GatewayError } from '../proxy/errors.ts';

// Backpressure for one target or provider: at most `max` calls in flight. A request that
// finds every slot taken waits in a short, bounded queue; when the queue is full, or the
// wait runs out, it is shed with 503 `gateway_overloaded` and a Retry-After, instead of
// piling up in memory while the provider is already saturated.

export interface ConcurrencySettings {
  readonly max: number;
  readonly maxQueued: number;
  readonly queueTimeoutMs: number;
}

interface Waiter {
  readonly grant: () => void;
}

export class ConcurrencyLimit {
  readonly name: string;
  readonly #settings: ConcurrencySettings;
  #inFlight = 0;
  readonly #queue: Waiter[] = [];

  constructor(name: string, settings: ConcurrencySettings) {
    this.name = name;
    this.#settings = settings;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Every slot is taken (a new request would have to wait). */
  get full(): boolean {
    return this.#inFlight >= this.#settings.max;
  }

  /** Takes a slot, waiting in the queue if needed; throws `gateway_overloaded` when shed. */
  acquire(signal: AbortSignal): Promise<void> {
    if (this.#inFlight < this.#settings.max) {
      this.#inFlight++;
      return Promise.resolve();
    }
    if (this.#queue.length >= this.#settings.maxQueued || signal.aborted) return Promise.reject(this.#overloaded());
    return new Promise<void>((resolve, reject) => {
      const leave = (error: GatewayError) => {
        const at = this.#queue.indexOf(waiter);
        if (at !== -1) this.#queue.splice(at, 1);
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        reject(error);
      };
      const onAbort = () => leave(new GatewayError('upstream_error', 'The client closed the connection.'));
      const timer = setTimeout(() => leave(this.#overloaded()), this.#settings.queueTimeoutMs);
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  /** Gives a slot back: straight to the longest waiter, if any. */
  release(): void {
    const next = this.#queue.shift();
    if (next !== undefined) next.grant();
    else this.#inFlight--;
  }

  #overloaded(): GatewayError {
    return new GatewayError('gateway_overloaded', `Too many requests in flight to ${this.name}; try again shortly.`, { retryAfter: '1' });
  }
}

/** Takes a slot in each limit in order; on failure gives back what it took. Returns the release. */
export async function acquireAll(limits: readonly ConcurrencyLimit[], signal: AbortSignal): Promise<() => void> {
  const taken: ConcurrencyLimit[] = [];
  try {
    for (const limit of limits) {
      await limit.acquire(signal);
      taken.push(limit);
    }
  } catch (err) {
    for (const limit of taken) limit.release();
    throw err;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const limit of taken) limit.release();
  };
}
