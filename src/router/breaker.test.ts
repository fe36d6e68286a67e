import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { connectState } from '../state/shared-state.ts';
import { MemoryBreakerStore, type BreakerStore } from './breaker.ts';
import { RedisBreakerStore } from './breaker-redis.ts';
import { Breakers } from './breakers.ts';

// One contract, run against process memory (with fake timers) and real Redis (whose clock
// cannot be faked: a short cooldown and a real wait past it).

const COOLDOWN = 150;
const settings = { failures: 3, cooldownMs: COOLDOWN };

const redis = new Redis(inject('redisUrl'), { lazyConnect: false });
afterAll(() => redis.quit());
afterEach(() => {
  vi.useRealTimers();
});

interface Harness {
  store: BreakerStore;
  passCooldown(): Promise<void>;
}

const implementations: Array<[string, () => Harness]> = [
  [
    'memory',
    () => {
      vi.useFakeTimers();
      return { store: new MemoryBreakerStore(), passCooldown: async () => void vi.advanceTimersByTime(COOLDOWN + 1) };
    },
  ],
  [
    'redis',
    () => ({
      store: new RedisBreakerStore(redis, `breaker-test:${Math.random().toString(36).slice(2)}:`),
      passCooldown: () => new Promise((resolve) => setTimeout(resolve, COOLDOWN + 50)),
    }),
  ],
];

describe.each(implementations)('breaker store: %s', (_name, make) => {
  const fail = (store: BreakerStore, key: string, times: number, probe = false) =>
    Array.from({ length: times }).reduce<Promise<void>>((p) => p.then(() => store.record(key, settings, false, probe)), Promise.resolve());

  it('stays closed below the failure threshold; a success resets the count', async () => {
    const { store } = make();
    await fail(store, 'a/m', 2);
    expect(await store.check('a/m', settings)).toEqual({ state: 'closed', failures: 2 });
    await store.record('a/m', settings, true, false);
    await fail(store, 'a/m', 2);
    expect((await store.check('a/m', settings)).state).toBe('closed');
    expect(await store.openKeys(['a/m'])).toEqual([]);
  });

  it('opens after N consecutive failures, then lets exactly one probe through after the cooldown', async () => {
    const { store, passCooldown } = make();
    await fail(store, 'a/m', 3);
    expect((await store.check('a/m', settings)).state).toBe('open');
    expect(await store.openKeys(['a/m', 'b/m'])).toEqual(['a/m']);
    await passCooldown();
    expect((await store.check('a/m', settings)).state).toBe('probe');
    // While the probe is out, everyone else still skips the target.
    expect((await store.check('a/m', settings)).state).toBe('open');
    expect(await store.openKeys(['a/m'])).toEqual(['a/m']);
    await store.record('a/m', settings, true, true);
    expect(await store.check('a/m', settings)).toEqual({ state: 'closed', failures: 0 });
  });

  it('a failed probe opens the breaker for another cooldown', async () => {
    const { store, passCooldown } = make();
    await fail(store, 'a/m', 3);
    await passCooldown();
    expect((await store.check('a/m', settings)).state).toBe('probe');
    await store.record('a/m', settings, false, true);
    expect((await store.check('a/m', settings)).state).toBe('open');
    await passCooldown();
    expect((await store.check('a/m', settings)).state).toBe('probe');
  });

  it('late failures of requests sent before it opened do not extend the cooldown', async () => {
    const { store, passCooldown } = make();
    await fail(store, 'a/m', 5);
    await passCooldown();
    expect((await store.check('a/m', settings)).state).toBe('probe');
  });

  it('with an error rate: opens when the share of failures in a window is too high, even without a streak', async () => {
    const { store } = make();
    const rated = { failures: 100, cooldownMs: COOLDOWN, errorRate: { rate: 0.5, windowMs: 60_000, minRequests: 6 } };
    // ok, fail, ok, fail, ok: never two failures in a row; 2 of 5 is under the rate anyway.
    for (const ok of [true, false, true, false, true]) await store.record('r/m', rated, ok, false);
    expect((await store.check('r/m', rated)).state).toBe('closed');
    await store.record('r/m', rated, false, false);
    // 3 failures of 6 requests: 50%.
    expect((await store.check('r/m', rated)).state).toBe('open');
  });

  it('keeps targets apart', async () => {
    const { store } = make();
    await fail(store, 'a/m', 3);
    expect((await store.check('b/m', settings)).state).toBe('closed');
  });
});

describe('Breakers over Redis', () => {
  const logger = pino({ level: 'silent' });

  it('two processes share one breaker: one opens it, the other skips the target', async () => {
    const prefix = `shared-${Math.random().toString(36).slice(2)}:`;
    const one = connectState({ kind: 'redis', url: inject('redisUrl'), onUnavailable: 'deny', keyPrefix: prefix }, logger);
    const two = connectState({ kind: 'redis', url: inject('redisUrl'), onUnavailable: 'deny', keyPrefix: prefix }, logger);
    try {
      await Promise.all([one.ready(5000), two.ready(5000)]);
      const a = new Breakers(one);
      const b = new Breakers(two);
      for (let i = 0; i < 3; i++) await a.record('p/m', settings, await a.check('p/m', settings), false);
      expect((await b.check('p/m', settings)).state).toBe('open');
      expect(await b.openKeys(['p/m'])).toEqual(['p/m']);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('falls back to process-local breakers when Redis is unreachable, even with onUnavailable: deny', async () => {
    const state = connectState({ kind: 'redis', url: 'redis://127.0.0.1:9', onUnavailable: 'deny', keyPrefix: 'x:' }, logger);
    try {
      const breakers = new Breakers(state);
      for (let i = 0; i < 3; i++) await breakers.record('p/m', settings, await breakers.check('p/m', settings), false);
      expect((await breakers.check('p/m', settings)).state).toBe('open');
    } finally {
      await state.close();
    }
  });
});
