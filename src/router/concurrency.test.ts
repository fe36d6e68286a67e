import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../proxy/errors.ts';
import { acquireAll, ConcurrencyLimit } from './concurrency.ts';
import { RateLimitTracker } from './rate-limit-tracker.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const signal = new AbortController().signal;

describe('ConcurrencyLimit', () => {
  it('hands a released slot to the longest waiter', async () => {
    const limit = new ConcurrencyLimit('t', { max: 1, maxQueued: 2, queueTimeoutMs: 1000 });
    await limit.acquire(signal);
    const order: number[] = [];
    const first = limit.acquire(signal).then(() => order.push(1));
    const second = limit.acquire(signal).then(() => order.push(2));
    expect(limit.queued).toBe(2);
    limit.release();
    await first;
    limit.release();
    await second;
    expect(order).toEqual([1, 2]);
    expect(limit.inFlight).toBe(1);
  });

  it('sheds at once when the queue is full, and after the wait otherwise: 503 gateway_overloaded with Retry-After', async () => {
    const limit = new ConcurrencyLimit('t', { max: 1, maxQueued: 1, queueTimeoutMs: 500 });
    await limit.acquire(signal);
    const waiting = limit.acquire(signal).catch((e: unknown) => e);
    const full = (await limit.acquire(signal).catch((e: unknown) => e)) as GatewayError;
    expect(full.code).toBe('gateway_overloaded');
    expect(full.retryAfter).toBe('1');
    await vi.advanceTimersByTimeAsync(500);
    expect(((await waiting) as GatewayError).code).toBe('gateway_overloaded');
    expect(limit.queued).toBe(0);
    limit.release();
    expect(limit.inFlight).toBe(0);
  });

  it('a waiter whose client leaves gives up its place', async () => {
    const limit = new ConcurrencyLimit('t', { max: 1, maxQueued: 5, queueTimeoutMs: 5000 });
    await limit.acquire(signal);
    const client = new AbortController();
    const waiting = limit.acquire(client.signal).catch((e: unknown) => e);
    client.abort();
    expect(((await waiting) as GatewayError).message).toMatch(/client closed/);
    expect(limit.queued).toBe(0);
  });

  it('acquireAll gives back what it took when a later limit sheds', async () => {
    const provider = new ConcurrencyLimit('p', { max: 5, maxQueued: 0, queueTimeoutMs: 0 });
    const target = new ConcurrencyLimit('t', { max: 1, maxQueued: 0, queueTimeoutMs: 0 });
    const release = await acquireAll([provider, target], signal);
    await expect(acquireAll([provider, target], signal)).rejects.toBeInstanceOf(GatewayError);
    expect(provider.inFlight).toBe(1);
    release();
    release();
    expect(provider.inFlight).toBe(0);
    expect(target.inFlight).toBe(0);
  });
});

describe('RateLimitTracker', () => {
  const snapshot = (remainingRequests: number, limitRequests: number | undefined, resetRequestsMs?: number) =>
    ({ remainingRequests, limitRequests, remainingTokens: undefined, limitTokens: undefined, resetRequestsMs, resetTokensMs: undefined });

  it('avoids a target near its limit until the reset, and forgets it after', () => {
    const tracker = new RateLimitTracker();
    tracker.record('a', snapshot(500, 1000));
    expect(tracker.nearLimit('a')).toBe(false);
    tracker.record('a', snapshot(10, 1000, 3000));
    expect(tracker.nearLimit('a')).toBe(true);
    vi.advanceTimersByTime(3000);
    expect(tracker.nearLimit('a')).toBe(false);
  });

  it('caps the avoidance and defaults it when no reset is given', () => {
    const tracker = new RateLimitTracker();
    tracker.record('a', snapshot(0, undefined, 3_600_000));
    vi.advanceTimersByTime(60_000);
    expect(tracker.nearLimit('a')).toBe(false);
    tracker.record('b', snapshot(1, undefined));
    expect(tracker.nearLimit('b')).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(tracker.nearLimit('b')).toBe(false);
  });
});
