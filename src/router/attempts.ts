// What happened on each try of one request, for the `x-tollgate-attempts` header, the
// request log and the final error message: `fake/m1=502,fake/m1=502,local/m2=200`.

/**
 * An HTTP status (what that attempt would have answered), or why a target was skipped
 * without a request: `open` (circuit breaker), `busy` (concurrency limit), `limited` (the
 * provider said it is at its rate limit), `small` (its context window is too small).
 */
export type AttemptOutcome = number | 'open' | 'busy' | 'limited' | 'small';

export interface Attempt {
  readonly target: string;
  readonly outcome: AttemptOutcome;
}

export function formatAttempts(attempts: readonly Attempt[]): string {
  return attempts.map((a) => `${headerSafe(a.target)}=${a.outcome}`).join(',');
}

/** Config names end up in headers: anything but visible ASCII (and the list's own separators) becomes `?`. */
export function headerSafe(text: string): string {
  return text.replace(/[^\x21-\x7e]|[,=]/g, '?');
}

/** True when a request was sent and every one that was sent was rate limited. */
export function allRateLimited(attempts: readonly Attempt[]): boolean {
  const sent = attempts.filter((a) => typeof a.outcome === 'number');
  return sent.length > 0 && sent.every((a) => a.outcome === 429);
}
