import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../proxy/errors.ts';

// A request's say over the cache. `Cache-Control` follows HTTP: directive names are
// case-insensitive, several headers are one list, malformed directives are ignored (as
// caches do); `no-store` wins over everything. `x-tollgate-cache-ttl` is the gateway's own
// header, so a malformed value is the client's error (400) rather than silently ignored.

export interface CacheDirectives {
  /** Neither read nor write. */
  readonly noStore: boolean;
  /** Skip the lookup, store the fresh answer (refresh). */
  readonly noCache: boolean;
  /** Oldest entry (ms) the client accepts; undefined: any live entry. */
  readonly maxAgeMs: number | undefined;
  /** TTL for the answer this request stores; undefined: the configured TTL. */
  readonly ttlMs: number | undefined;
}

const MAX_TTL_MS = 30 * 24 * 3_600_000;

export function cacheDirectives(headers: IncomingHttpHeaders): CacheDirectives {
  let noStore = false;
  let noCache = false;
  let maxAgeMs: number | undefined;
  const raw = headers['cache-control'];
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  // Bounded: a header is at most the server's header limit, and only the first 64 directives count.
  for (const part of text.split(',', 64)) {
    const [name = '', value] = part.split('=', 2).map((s) => s.trim());
    switch (name.toLowerCase()) {
      case 'no-store':
        noStore = true;
        break;
      case 'no-cache':
        noCache = true;
        break;
      case 'max-age': {
        const seconds = deltaSeconds(value);
        // The smallest wins when repeated, as the stricter demand.
        if (seconds !== undefined) maxAgeMs = Math.min(maxAgeMs ?? Infinity, seconds * 1000);
        break;
      }
    }
  }
  return { noStore, noCache: noCache || maxAgeMs === 0, maxAgeMs, ttlMs: ttlHeader(headers['x-tollgate-cache-ttl']) };
}

/** HTTP delta-seconds: digits only (quotes tolerated), clamped rather than overflowing. */
function deltaSeconds(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^"?(\d{1,12})"?$/.exec(value);
  return match === null ? undefined : Math.min(Number(match[1]), MAX_TTL_MS / 1000);
}

function ttlHeader(raw: string | string[] | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw[0]! : raw;
  const match = /^\s*(\d{1,9})\s*(ms|s|m|h)?\s*$/i.exec(value);
  const factor = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(match?.[2] ?? 's').toLowerCase() as 'ms' | 's' | 'm' | 'h'];
  const ms = match === null ? NaN : Number(match[1]) * factor;
  if (!(ms >= 1_000 && ms <= MAX_TTL_MS)) {
    throw new GatewayError('invalid_request', 'x-tollgate-cache-ttl must be a duration from 1s to 720h, e.g. "600" (seconds) or "10m".', {
      param: 'x-tollgate-cache-ttl',
    });
  }
  return ms;
}
