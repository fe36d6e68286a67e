import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Provider } from '../providers/types.ts';
import { GatewayError } from '../proxy/errors.ts';
import { connectState } from '../state/shared-state.ts';
import { formatAttempts, type Attempt } from './attempts.ts';
import { Breakers } from './breakers.ts';
import { ConcurrencyLimit } from './concurrency.ts';
import { callWithFallback, type CallTimeouts } from './fallback-loop.ts';
import type { ResolvedTarget, RoutePlan } from './model-table.ts';
import { RateLimitTracker } from './rate-limit-tracker.ts';
import type { TargetRouting } from './target-routing.ts';

// The loop with scripted outcomes per target and fake timers: backoff, Retry-After,
// deadlines, breakers, context windows and the client leaving, without any network.

type Outcome = 'ok' | GatewayError;

function target(name: string, options: Partial<TargetRouting> & { contextWindow?: number } = {}): ResolvedTarget {
  const { contextWindow, ...routing } = options;
  return {
    provider: { name } as Provider,
    model: 'm',
    contextWindow,
    routing: { key: `${name}/m`, weight: undefined, retries: 2, breaker: { failures: 5, cooldownMs: 30_000 }, timeouts: { total: 60_000 }, deadlineMs: 600_000, limits: [], ...routing },
  };
}

const status = (code: 'upstream_error' | 'upstream_rate_limited' | 'upstream_auth_failed' | 'upstream_timeout', httpStatus?: number, retryAfterMs?: number) =>
  new GatewayError(code, `failed ${httpStatus ?? ''}`.trim(), { upstream: { status: httpStatus, retryAfterMs }, retryAfter: retryAfterMs === undefined ? undefined : String(retryAfterMs / 1000) });

let breakers: Breakers;
let rateLimits: RateLimitTracker;
let controller: AbortController;
beforeEach(() => {
  vi.useFakeTimers();
  breakers = new Breakers(connectState({ kind: 'memory' }, pino({ level: 'silent' })));
  rateLimits = new RateLimitTracker();
  controller = new AbortController();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs the loop over `targets`; each call takes the next scripted outcome of its target. */
function run(targets: ResolvedTarget[], script: Record<string, Outcome[]>, options: { stream?: boolean } = {}) {
  const attempts: Attempt[] = [];
  const calls: Array<{ target: string; timeouts: CallTimeouts; at: number }> = [];
  const plan: RoutePlan = { alias: 'alias', targets: targets as unknown as RoutePlan['targets'] };
  const promise = callWithFallback(
    { plan, signal: controller.signal, stream: options.stream ?? false, startedAt: Date.now(), attempts },
    { breakers, rateLimits, random: () => 0.5, now: () => Date.now() },
    async (t, timeouts) => {
      calls.push({ target: t.provider.name, timeouts, at: Date.now() });
      const next = script[t.provider.name]?.shift() ?? 'ok';
      if (next === 'ok') return { answer: t.provider.name, rateLimit: undefined };
      throw next;
    },
  );
  // Keep an unawaited rejection from failing the run before the test looks at it.
  promise.catch(() => {});
  return { promise, attempts, calls, summary: () => formatAttempts(attempts) };
}

describe('retries and fallback', () => {
  it('retries a 500 with backoff, then succeeds on the same target', async () => {
    const r = run([target('a'), target('b')], { a: [status('upstream_error', 500)] });
    await vi.runAllTimersAsync();
    expect((await r.promise).reply).toEqual({ answer: 'a' });
    expect(r.summary()).toBe('a/m=502,a/m=200');
    // Full jitter at 0.5 of the first ceiling (100 ms).
    expect(r.calls[1]!.at - r.calls[0]!.at).toBe(50);
  });

  it('gives up on a target after its retries and falls to the next', async () => {
    const fail = () => status('upstream_error', 502);
    const r = run([target('a'), target('b')], { a: [fail(), fail(), fail()] });
    await vi.runAllTimersAsync();
    expect((await r.promise).target.provider.name).toBe('b');
    expect(r.summary()).toBe('a/m=502,a/m=502,a/m=502,b/m=200');
  });

  it('waits as long as Retry-After says (up to 10 s)', async () => {
    const r = run([target('a')], { a: [status('upstream_rate_limited', 429, 1000)] });
    await vi.advanceTimersByTimeAsync(999);
    expect(r.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.calls).toHaveLength(2);
    await expect(r.promise).resolves.toBeDefined();
    expect(r.summary()).toBe('a/m=429,a/m=200');
  });

  it('a Retry-After over 10 s falls to the next target at once', async () => {
    const r = run([target('a'), target('b')], { a: [status('upstream_rate_limited', 429, 30_000)] });
    await vi.advanceTimersByTimeAsync(0);
    expect((await r.promise).target.provider.name).toBe('b');
    expect(r.summary()).toBe('a/m=429,b/m=200');
  });

  it('all targets rate limited: the last 429, with its Retry-After and the attempts in the message', async () => {
    const limited = () => status('upstream_rate_limited', 429, 30_000);
    const r = run([target('a'), target('b')], { a: [limited()], b: [limited()] });
    const error = (await r.promise.catch((e: unknown) => e)) as GatewayError;
    expect(error.status).toBe(429);
    expect(error.retryAfter).toBe('30');
    expect(error.message).toContain('(attempts: a/m=429,b/m=429)');
  });

  it('a provider that sent only retry-after-ms still gives the client a Retry-After in seconds', async () => {
    const limited = new GatewayError('upstream_rate_limited', 'slow down', { upstream: { status: 429, retryAfterMs: 12_500 } });
    const r = run([target('a')], { a: [limited] });
    const error = (await r.promise.catch((e: unknown) => e)) as GatewayError;
    expect(error.retryAfter).toBe('13');
  });

  it('mixed failures: the last failure that is not a 429', async () => {
    const r = run([target('a', { retries: 0 }), target('b', { retries: 0 })], { a: [status('upstream_error', 500)], b: [status('upstream_rate_limited', 429, 30_000)] });
    await vi.runAllTimersAsync();
    const error = (await r.promise.catch((e: unknown) => e)) as GatewayError;
    expect(error.status).toBe(502);
    expect(error.message).toBe('failed 500 (attempts: a/m=502,b/m=429)');
  });

  it('a provider 401 falls over without a retry', async () => {
    const r = run([target('a'), target('b')], { a: [status('upstream_auth_failed', 401)] });
    await vi.runAllTimersAsync();
    await r.promise;
    expect(r.summary()).toBe('a/m=502,b/m=200');
  });

  it('a 400 is neither retried nor fallen over, and keeps its message', async () => {
    const bad = new GatewayError('invalid_request', 'bad field', { relayed: { status: 400, type: 'invalid_request_error', code: 'invalid_request' } });
    const r = run([target('a'), target('b')], { a: [bad] });
    await expect(r.promise).rejects.toBe(bad);
    expect(r.summary()).toBe('a/m=400');
  });

  it('context_length_exceeded falls to the next target with a larger window, skipping smaller ones', async () => {
    const tooLong = new GatewayError('invalid_request', 'too long', { relayed: { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded' } });
    const r = run([target('a', { contextWindow: 8000 }), target('b', { contextWindow: 8000 }), target('c', { contextWindow: 128_000 })], { a: [tooLong] });
    expect((await r.promise).target.provider.name).toBe('c');
    expect(r.summary()).toBe('a/m=400,b/m=small,c/m=200');
  });

  it('context_length_exceeded with no larger target is relayed as is', async () => {
    const tooLong = new GatewayError('invalid_request', 'too long', { relayed: { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded' } });
    const r = run([target('a', { contextWindow: 8000 }), target('b', { contextWindow: 4000 })], { a: [tooLong] });
    await expect(r.promise).rejects.toBe(tooLong);
  });
});

describe('deadlines and the client', () => {
  it('caps each attempt by what the loop deadline leaves (total for JSON, first byte for streams)', async () => {
    const json = run([target('a', { deadlineMs: 5000, timeouts: { total: 60_000, firstByte: 9000 } })], {});
    await json.promise;
    expect(json.calls[0]!.timeouts).toEqual({ total: 5000, firstByte: 9000 });
    const stream = run([target('a', { deadlineMs: 5000, timeouts: { total: 60_000, firstByte: 9000 } })], {}, { stream: true });
    await stream.promise;
    expect(stream.calls[0]!.timeouts).toEqual({ total: 60_000, firstByte: 5000 });
  });

  it('stops retrying when the wait would pass the deadline: 504 listing the attempts', async () => {
    const slow = () => status('upstream_timeout', undefined);
    const r = run([target('a', { deadlineMs: 1000 })], { a: [slow(), slow(), slow()] });
    vi.setSystemTime(Date.now() + 990);
    const error = (await r.promise.catch((e: unknown) => e)) as GatewayError;
    expect(error.code).toBe('upstream_timeout');
    expect(error.message).toContain('attempts: a/m=504');
  });

  it('no retry for a client that went away during the backoff', async () => {
    const r = run([target('a'), target('b')], { a: [status('upstream_error', 500)] });
    await vi.advanceTimersByTimeAsync(1);
    controller.abort();
    await expect(r.promise).rejects.toThrow(/client closed/);
    await vi.runAllTimersAsync();
    expect(r.calls).toHaveLength(1);
  });
});

describe('skipping targets', () => {
  it('an open breaker is skipped without a request; after the cooldown one probe closes it', async () => {
    const fail = () => status('upstream_error', 500);
    const a = target('a', { retries: 0, breaker: { failures: 2, cooldownMs: 10_000 } });
    for (let i = 0; i < 2; i++) {
      const r = run([a, target('b')], { a: [fail()] });
      await r.promise;
    }
    const skipped = run([a, target('b')], {});
    await skipped.promise;
    expect(skipped.summary()).toBe('a/m=open,b/m=200');
    expect(skipped.calls.map((c) => c.target)).toEqual(['b']);

    vi.advanceTimersByTime(10_000);
    const probe = run([a, target('b')], {});
    expect((await probe.promise).target.provider.name).toBe('a');
    const after = run([a, target('b')], {});
    expect((await after.promise).target.provider.name).toBe('a');
  });

  it('every breaker open: 503 upstream_unavailable, nothing sent', async () => {
    const a = target('a', { retries: 0, breaker: { failures: 1, cooldownMs: 10_000 } });
    await run([a], { a: [status('upstream_error', 500)] }).promise.catch(() => {});
    const r = run([a], {});
    const error = (await r.promise.catch((e: unknown) => e)) as GatewayError;
    expect(error.code).toBe('upstream_unavailable');
    expect(r.calls).toHaveLength(0);
    expect(error.message).toContain('a/m=open');
  });

  it('a target at its concurrency limit is skipped for a free one; with none free, the request waits and is shed', async () => {
    const limit = new ConcurrencyLimit('target a/m', { max: 1, maxQueued: 0, queueTimeoutMs: 100 });
    const a = target('a', { limits: [limit] });
    await limit.acquire(controller.signal);
    const r = run([a, target('b')], {});
    expect((await r.promise).target.provider.name).toBe('b');
    expect(r.summary()).toBe('a/m=busy,b/m=200');

    const alone = run([a], {});
    const error = (await alone.promise.catch((e: unknown) => e)) as GatewayError;
    expect(error.code).toBe('gateway_overloaded');
    expect(error.status).toBe(503);
    expect(error.retryAfter).toBe('1');
  });

  it('a busy target skipped for one whose breaker is open: an overload (503, Retry-After), not an outage', async () => {
    const limit = new ConcurrencyLimit('target a/m', { max: 1, maxQueued: 0, queueTimeoutMs: 100 });
    await limit.acquire(controller.signal);
    const b = target('b', { retries: 0, breaker: { failures: 1, cooldownMs: 10_000 } });
    await run([b], { b: [status('upstream_error', 500)] }).promise.catch(() => {});
    const r = run([target('a', { limits: [limit] }), b], {});
    const error = (await r.promise.catch((e: unknown) => e)) as GatewayError;
    expect(r.summary()).toBe('a/m=busy,b/m=open');
    expect(error.code).toBe('gateway_overloaded');
    expect(error.retryAfter).toBe('1');
  });

  it('a target the provider says is at its rate limit is avoided until the reset', async () => {
    rateLimits.record('a/m', { remainingRequests: 0, limitRequests: 100, remainingTokens: undefined, limitTokens: undefined, resetRequestsMs: 2000, resetTokensMs: undefined });
    const r = run([target('a'), target('b')], {});
    expect((await r.promise).target.provider.name).toBe('b');
    expect(r.summary()).toBe('a/m=limited,b/m=200');
    vi.advanceTimersByTime(2000);
    const later = run([target('a'), target('b')], {});
    expect((await later.promise).target.provider.name).toBe('a');
  });
});
