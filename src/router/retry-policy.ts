import type { GatewayError } from '../proxy/errors.ts';

// What to do after one failed attempt. Retrying is an explicit allow-list: connect errors
// and resets, 408, 409, 429, 5xx, overloaded (529) and timeouts before the first byte or
// event. Anything else is either the request's fault (not worth another target) or our
// credentials (another target may have good ones, but the same one will not).

/**
 * - `retry`: try the same target again (after a wait), then fall to the next.
 * - `next`: do not retry this target; fall to the next one.
 * - `larger`: the prompt did not fit; only a target with a larger context window may help.
 * - `stop`: no other attempt can help; answer with this error.
 */
export type Verdict = 'retry' | 'next' | 'larger' | 'stop';

/** Longest `Retry-After` the loop waits for; a longer one means: go to the next target now. */
export const MAX_RETRY_AFTER_MS = 10_000;
const BASE_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2_000;

const RETRYABLE_STATUS = new Set([408, 409, 429, 529]);

export function verdictFor(error: GatewayError): Verdict {
  switch (error.code) {
    case 'upstream_rate_limited':
      // Out of quota: waiting will not help this target, another one may.
      return error.relayed?.code === 'insufficient_quota' ? 'next' : 'retry';
    case 'upstream_unavailable':
    case 'upstream_timeout':
      return 'retry';
    case 'upstream_auth_failed':
      return 'next';
    case 'upstream_error': {
      // A provider status that is not on the list (402, 405, 410 ...) is not retried:
      // it will answer the same again.
      const status = error.upstream?.status;
      if (status === undefined || status >= 500 || RETRYABLE_STATUS.has(status)) return 'retry';
      return 'stop';
    }
    case 'invalid_request':
      return error.relayed?.code === 'context_length_exceeded' ? 'larger' : 'stop';
    case 'gateway_overloaded':
      return 'next';
    default:
      return 'stop';
  }
}

/** Exponential backoff with full jitter: a random wait in [0, min(cap, base · 2^retry)). */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * How long to wait before retrying the same target after `error` (the `retry`-th retry,
 * from 0), or undefined when the provider asked for longer than we are willing to wait.
 */
export function retryDelayMs(error: GatewayError, retry: number, random: () => number = Math.random): number | undefined {
  const asked = error.upstream?.retryAfterMs;
  if (asked === undefined) return backoffMs(retry, random);
  return asked > MAX_RETRY_AFTER_MS ? undefined : asked;
}
