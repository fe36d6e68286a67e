import type { RecordedRequest } from './types.ts';

/**
 * Hands aborted requests to `waitForAbort` callers in order. Aborts nobody waited for yet are kept,
 * because a test usually aborts first and only then starts waiting.
 */
export class AbortWaiters {
  #unclaimed: RecordedRequest[] = [];
  #waiting: Array<{ resolve: (r: RecordedRequest) => void; reject: (e: Error) => void }> = [];

  notify(record: RecordedRequest): void {
    const waiter = this.#waiting.shift();
    if (waiter) waiter.resolve(record);
    else this.#unclaimed.push(record);
  }

  wait(timeoutMs: number): Promise<RecordedRequest> {
    const ready = this.#unclaimed.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (r: RecordedRequest) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.#waiting = this.#waiting.filter((w) => w !== waiter);
        reject(new Error(`waitForAbort: no client abort within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.push(waiter);
    });
  }

  /** Forget aborts nobody claimed; callers still waiting keep waiting. */
  clearUnclaimed(): void {
    this.#unclaimed = [];
  }

  rejectAll(reason: Error): void {
    for (const w of this.#waiting.splice(0)) w.reject(reason);
  }
}
