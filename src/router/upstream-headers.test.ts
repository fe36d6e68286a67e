import { afterEach, describe, expect, it, vi } from 'vitest';
import { readRateLimit, resetDurationMs, retryAfterMs } from './upstream-headers.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('retryAfterMs', () => {
  it('reads seconds, fractional seconds and retry-after-ms (which wins)', () => {
    expect(retryAfterMs({ 'retry-after': '1' })).toBe(1000);
    expect(retryAfterMs({ 'retry-after': '0.25' })).toBe(250);
    expect(retryAfterMs({ 'retry-after': '20', 'retry-after-ms': '150' })).toBe(150);
    expect(retryAfterMs({ 'retry-after-ms': '12.5' })).toBe(13);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    expect(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' })).toBe(7000);
    expect(retryAfterMs({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' })).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(retryAfterMs({})).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': '-5' })).toBeUndefined();
    expect(retryAfterMs({ 'retry-after-ms': 'abc', 'retry-after': '2' })).toBe(2000);
    expect(retryAfterMs({ 'retry-after': ['3', '9'] })).toBe(3000);
  });
});

describe('rate-limit headers', () => {
  it('reads OpenAI reset durations', () => {
    expect(resetDurationMs('1s')).toBe(1000);
    expect(resetDurationMs('6m0s')).toBe(360_000);
    expect(resetDurationMs('20ms')).toBe(20);
    expect(resetDurationMs('1h2m3.5s')).toBe(3_723_500);
    expect(resetDurationMs('2')).toBe(2000);
    expect(resetDurationMs('later')).toBeUndefined();
    expect(resetDurationMs('1x')).toBeUndefined();
  });

  it('snapshots remaining, limits and resets; nothing when absent', () => {
    expect(readRateLimit({ 'content-type': 'application/json' })).toBeUndefined();
    expect(
      readRateLimit({
        'x-ratelimit-limit-requests': '500',
        'x-ratelimit-remaining-requests': '3',
        'x-ratelimit-reset-requests': '120ms',
        'x-ratelimit-remaining-tokens': 'lots',
      }),
    ).toEqual({ remainingRequests: 3, limitRequests: 500, remainingTokens: undefined, limitTokens: undefined, resetRequestsMs: 120, resetTokensMs: undefined });
  });
});
