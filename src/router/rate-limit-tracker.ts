import type { RateLimitSnapshot } from './upstream-headers.ts';

// Remembers, per target, when the provider said it was about to run out (its
// `x-ratelimit-remaining-*` headers), so routing can send traffic elsewhere until the
// window resets instead of waiting for the 429s. Bounded: one entry per configured target.

/** Below this share of the limit left (or 1 request), a target counts as near its limit. */
const NEAR_SHARE = 0.02;
/** When the provider gives no reset time, stay away this long. */
const DEFAULT_AVOID_MS = 1_000;
/** Never avoid a target for longer than this on the strength of a header. */
const MAX_AVOID_MS = 60_000;

function near(remaining: number | undefined, limit: number | undefined): boolean {
  if (remaining === undefined) return false;
  if (remaining <= 1) return true;
  return limit !== undefined && limit > 0 && remaining / limit < NEAR_SHARE;
}

export class RateLimitTracker {
  readonly #avoidUntil = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  record(key: string, snapshot: RateLimitSnapshot | undefined): void {
    if (snapshot === undefined) return;
    let avoidMs = 0;
    if (near(snapshot.remainingRequests, snapshot.limitRequests)) avoidMs = snapshot.resetRequestsMs ?? DEFAULT_AVOID_MS;
    if (near(snapshot.remainingTokens, snapshot.limitTokens)) avoidMs = Math.max(avoidMs, snapshot.resetTokensMs ?? DEFAULT_AVOID_MS);
    if (avoidMs > 0) this.#avoidUntil.set(key, this.#now() + Math.min(avoidMs, MAX_AVOID_MS));
    else this.#avoidUntil.delete(key);
  }

  /** The provider said this target is (nearly) out of requests or tokens until a reset still ahead. */
  nearLimit(key: string): boolean {
    const until = this.#avoidUntil.get(key);
    if (until === undefined) return false;
    if (this.#now() < until) return true;
    this.#avoidUntil.delete(key);
    return false;
  }
}
