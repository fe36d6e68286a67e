// Runs background jobs a few at a time, with a bounded line of waiting jobs: when the line
// is full a new job is dropped (and counted), so work nobody waits for can never take
// unbounded memory, however slow or stuck the jobs are. Stopping drops what waits and
// aborts what runs.

export type Job = (signal: AbortSignal) => Promise<void>;

export interface QueueLimits {
  /** Jobs running at once. */
  readonly concurrency: number;
  /** Jobs waiting to run. */
  readonly capacity: number;
}

export interface QueueCounts {
  readonly started: number;
  readonly dropped: number;
  /** Waiting jobs dropped, or running jobs aborted, by stop(). */
  readonly cancelled: number;
  readonly running: number;
  readonly waiting: number;
}

export class BackgroundQueue {
  readonly #limits: QueueLimits;
  readonly #stop = new AbortController();
  /** Short by construction (the capacity), so shift() costs nothing worth a ring buffer. */
  readonly #waiting: Job[] = [];
  #running = 0;
  #started = 0;
  #dropped = 0;
  #cancelled = 0;

  constructor(limits: QueueLimits) {
    this.#limits = limits;
  }

  /** Adds a job; false when it was dropped (line full, or stopped). */
  push(job: Job): boolean {
    if (this.#stop.signal.aborted || this.#waiting.length >= this.#limits.capacity) {
      this.#dropped++;
      return false;
    }
    this.#waiting.push(job);
    this.#pump();
    return true;
  }

  stop(): void {
    if (this.#stop.signal.aborted) return;
    this.#cancelled += this.#waiting.length + this.#running;
    this.#waiting.length = 0;
    this.#stop.abort();
  }

  get counts(): QueueCounts {
    return {
      started: this.#started,
      dropped: this.#dropped,
      cancelled: this.#cancelled,
      running: this.#running,
      waiting: this.#waiting.length,
    };
  }

  #pump(): void {
    while (this.#running < this.#limits.concurrency && this.#waiting.length > 0) {
      const job = this.#waiting.shift()!;
      this.#running++;
      this.#started++;
      // Jobs report their own failures; a throw here must not stop the queue.
      job(this.#stop.signal)
        .catch(() => {})
        .finally(() => {
          this.#running--;
          this.#pump();
        });
    }
  }
}
