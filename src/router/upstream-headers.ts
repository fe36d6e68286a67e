// Reads what a provider's response headers say about waiting and limits: `Retry-After`
// (seconds or an HTTP date), `retry-after-ms`, and the `x-ratelimit-*` family OpenAI,
// Azure, Groq and others send. Anything malformed is ignored rather than trusted.

export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** What the provider said about its own limits, at one moment. */
export interface RateLimitSnapshot {
  readonly remainingRequests: number | undefined;
  readonly limitRequests: number | undefined;
  readonly remainingTokens: number | undefined;
  readonly limitTokens: number | undefined;
  /** ms from now until the request / token windows reset. */
  readonly resetRequestsMs: number | undefined;
  readonly resetTokensMs: number | undefined;
}

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** ms to wait, from `retry-after-ms` (preferred, precise) or `Retry-After`; undefined if absent or unreadable. */
export function retryAfterMs(headers: HeaderBag, now = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms));
  const value = header(headers, 'retry-after');
  if (value === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.ceil(Number(value) * 1000);
  // An HTTP date names its day and month; a bare "-5" would otherwise parse as a year.
  const date = /[a-z]{3}/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
const PART_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** OpenAI's reset format ("1s", "6m0s", "20ms", "1h2m3.5s"), or bare seconds. */
export function resetDurationMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  if (!/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(DURATION_PART)) total += Number(amount) * PART_MS[unit!]!;
  return Math.ceil(total);
}

function count(headers: HeaderBag, name: string): number | undefined {
  const value = header(headers, name);
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

/** The provider's rate-limit headers, or undefined when it sent none. */
export function readRateLimit(headers: HeaderBag): RateLimitSnapshot | undefined {
  const snapshot: RateLimitSnapshot = {
    remainingRequests: count(headers, 'x-ratelimit-remaining-requests'),
    limitRequests: count(headers, 'x-ratelimit-limit-requests'),
    remainingTokens: count(headers, 'x-ratelimit-remaining-tokens'),
    limitTokens: count(headers, 'x-ratelimit-limit-tokens'),
    resetRequestsMs: resetDurationMs(header(headers, 'x-ratelimit-reset-requests')),
    resetTokensMs: resetDurationMs(header(headers, 'x-ratelimit-reset-tokens')),
  };
  return snapshot.remainingRequests === undefined && snapshot.remainingTokens === undefined ? undefined : snapshot;
}
