import type { CachedAnswer } from './cached-answer.ts';

// Concurrent identical misses in one process make one upstream call: the first becomes the
// leader, the others wait (bounded) for what it stores. A leader that fails, or whose
// answer is not cacheable, settles with undefined and its followers call upstream themselves.

export class Coalescer {
  readonly #flights = new Map<string, Promise<CachedAnswer | undefined>>();

  /** The flight for `key` if one is running. */
  waitFor(key: string, signal: AbortSignal, maxWaitMs: number): Promise<CachedAnswer | undefined> | undefined {
    const flight = this.#flights.get(key);
    if (flight === undefined) return undefined;
    return new Promise((resolve) => {
      const done = (answer: CachedAnswer | undefined) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', gone);
        resolve(answer);
      };
      const gone = () => done(undefined);
      const timer = setTimeout(gone, maxWaitMs);
      signal.addEventListener('abort', gone, { once: true });
      void flight.then(done);
    });
  }

  /** Starts a flight; call the returned function exactly once with its outcome. */
  lead(key: string): (answer: CachedAnswer | undefined) => void {
    const { promise, resolve } = Promise.withResolvers<CachedAnswer | undefined>();
    this.#flights.set(key, promise);
    return (answer) => {
      if (this.#flights.get(key) === promise) this.#flights.delete(key);
      resolve(answer);
    };
  }

  get inFlight(): number {
    return this.#flights.size;
  }
}
