import { describe, expect, it } from 'vitest';
import { GatewayError, type ErrorCode } from '../proxy/errors.ts';
import { backoffMs, MAX_RETRY_AFTER_MS, retryDelayMs, verdictFor } from './retry-policy.ts';

const error = (code: ErrorCode, status?: number, extra: { retryAfterMs?: number; relayedCode?: string } = {}) =>
  new GatewayError(code, 'x', {
    upstream: { status, retryAfterMs: extra.retryAfterMs },
    relayed: extra.relayedCode === undefined ? undefined : { status: 400, type: 'invalid_request_error', code: extra.relayedCode },
  });

describe('verdictFor', () => {
  it.each([
    ['a connect error or reset (no status)', error('upstream_error'), 'retry'],
    ['a 500', error('upstream_error', 500), 'retry'],
    ['a 502', error('upstream_error', 502), 'retry'],
    ['a 409', error('upstream_error', 409), 'retry'],
    ['a 408 / 504', error('upstream_timeout', 408), 'retry'],
    ['a first-token timeout', error('upstream_timeout'), 'retry'],
    ['a 429', error('upstream_rate_limited', 429), 'retry'],
    ['a 429 insufficient_quota', new GatewayError('upstream_rate_limited', 'x', { relayed: { status: 429, type: 'insufficient_quota', code: 'insufficient_quota' } }), 'next'],
    ['a 503 / 529 overloaded', error('upstream_unavailable', 529), 'retry'],
    ['a provider 401/403 (our credentials)', error('upstream_auth_failed', 401), 'next'],
    ['a full concurrency queue', error('gateway_overloaded'), 'next'],
    ['a 400', error('invalid_request', 400, { relayedCode: 'invalid_request' }), 'stop'],
    ['a 404', error('invalid_request', 404, { relayedCode: 'model_not_found' }), 'stop'],
    ['a 402 (not on the list)', error('upstream_error', 402), 'stop'],
    ['a 410 (not on the list)', error('upstream_error', 410), 'stop'],
    ['context_length_exceeded', error('invalid_request', 400, { relayedCode: 'context_length_exceeded' }), 'larger'],
    ['shutting down', error('shutting_down'), 'stop'],
    ['an internal error', error('internal_error'), 'stop'],
  ] as const)('%s → %s', (_name, err, verdict) => {
    expect(verdictFor(err)).toBe(verdict);
  });
});

describe('backoff', () => {
  it('grows exponentially under a cap, with full jitter', () => {
    expect(backoffMs(0, () => 0.999)).toBe(99);
    expect(backoffMs(1, () => 0.999)).toBe(199);
    expect(backoffMs(3, () => 0.999)).toBe(799);
    expect(backoffMs(10, () => 0.999)).toBe(1998);
    expect(backoffMs(4, () => 0)).toBe(0);
    expect(backoffMs(2, () => 0.5)).toBe(200);
  });

  it('honours Retry-After up to the cap, and refuses to wait longer', () => {
    expect(retryDelayMs(error('upstream_rate_limited', 429, { retryAfterMs: 1000 }), 0, () => 0)).toBe(1000);
    expect(retryDelayMs(error('upstream_rate_limited', 429, { retryAfterMs: MAX_RETRY_AFTER_MS }), 0)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryDelayMs(error('upstream_rate_limited', 429, { retryAfterMs: MAX_RETRY_AFTER_MS + 1 }), 0)).toBeUndefined();
    expect(retryDelayMs(error('upstream_error', 500), 1, () => 0.5)).toBe(100);
  });
});
