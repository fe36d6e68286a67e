import type { Logger } from 'pino';

// A condition that can recur thousands of times a second (a connection flood, accept
// failures) is logged at most once per interval, with how many occurrences were held back,
// so the log shows it without drowning in it.

export class RateLimitedLog {
  readonly #logger: Logger;
  readonly #level: 'warn' | 'error';
  readonly #intervalMs: number;
  #last = Number.NEGATIVE_INFINITY;
  #suppressed = 0;

  constructor(logger: Logger, level: 'warn' | 'error', intervalMs = 10_000) {
    this.#logger = logger;
    this.#level = level;
    this.#intervalMs = intervalMs;
  }

  log(fields: Record<string, unknown>, message: string): void {
    const now = performance.now();
    if (now - this.#last < this.#intervalMs) {
      this.#suppressed++;
      return;
    }
    this.#last = now;
    this.#logger[this.#level]({ ...fields, suppressedSinceLast: this.#suppressed }, message);
    this.#suppressed = 0;
  }
}
