import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MemoryRunStore } from './memory-run-store.ts';
import { RedisRunStore } from './redis-run-store.ts';
import { MAX_TRACKED_PER_RUN, type RunKey, type RunLimits, type RunStore, type StepRecord } from './run-types.ts';

// One contract, two stores: every behaviour of the run guards holds for memory and Redis
// alike. Clocks are passed in, so expiry is tested without waiting.

const connections: Redis[] = [];
afterAll(() => {
  for (const redis of connections) redis.disconnect();
});

/** Several handles on one store's state (for Redis, separate connections), as several gateways would have. */
type StoreFactory = () => RunStore[];

const memory: StoreFactory = () => {
  const store = new MemoryRunStore();
  return [store, store, store];
};
const redis: StoreFactory = () => {
  const prefix = `test:${randomUUID()}:`;
  return [0, 1, 2].map(() => {
    const connection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
    connections.push(connection);
    return new RedisRunStore(connection, prefix);
  });
};

const MINUTE = 60_000;
const T0 = 1_800_000_000_000;
const key: RunKey = { tenant: 'team', runId: 'run-1' };
const limits = (extra: Partial<RunLimits> = {}): RunLimits => ({ idleTimeoutMs: 30 * MINUTE, ...extra });
const served = (step: number, extra: Partial<StepRecord> = {}): StepRecord => ({
  step,
  tokens: 0,
  usd: 0,
  toolCalls: [],
  fingerprint: undefined,
  ...extra,
});
const call = (name: string, identity = `${name}-args`) => ({ name, identity });

describe.each([
  ['memory', memory],
  ['redis', redis],
])('run store contract: %s', (_kind, make) => {
  it('numbers admitted steps and refuses the step past maxSteps, then every later one the same way', async () => {
    const [store] = make();
    const l = limits({ maxSteps: 3 });
    for (let step = 1; step <= 3; step++) expect(await store!.admit(key, l, undefined, T0)).toEqual({ ok: true, step });
    const refused = await store!.admit(key, l, undefined, T0);
    expect(refused).toEqual({ ok: false, end: { reason: 'maxSteps', count: 3, limit: 3, step: 4 } });
    expect(await store!.admit(key, l, undefined, T0 + 1)).toEqual(refused);
  });

  it('runs without limits are counted but never refused', async () => {
    const [store] = make();
    for (let step = 1; step <= 5; step++) {
      expect(await store!.admit(key, limits(), 'same', T0)).toEqual({ ok: true, step });
      await store!.record(key, limits(), served(step, { tokens: 1e6, usd: 100, toolCalls: [call('x')], fingerprint: 'same' }), T0);
    }
  });

  it('refuses the next step once recorded tokens reach maxTokens', async () => {
    const [store] = make();
    const l = limits({ maxTokens: 1000 });
    await store!.admit(key, l, undefined, T0);
    expect((await store!.record(key, l, served(1, { tokens: 600 }), T0)).end).toBeUndefined();
    await store!.admit(key, l, undefined, T0);
    // The step that crosses the limit is already paid for: it is not ended, the next one is refused.
    expect(await store!.record(key, l, served(2, { tokens: 500 }), T0)).toEqual({ end: undefined, endedNow: false, repeats: [] });
    expect(await store!.admit(key, l, undefined, T0)).toEqual({ ok: false, end: { reason: 'maxTokens', count: 1100, limit: 1000, step: 3 } });
  });

  it('refuses the next step once recorded cost reaches maxUsd', async () => {
    const [store] = make();
    const l = limits({ maxUsd: 1 });
    await store!.admit(key, l, undefined, T0);
    await store!.record(key, l, served(1, { usd: 0.25 }), T0);
    await store!.admit(key, l, undefined, T0);
    await store!.record(key, l, served(2, { usd: 0.75 }), T0);
    expect(await store!.admit(key, l, undefined, T0)).toEqual({ ok: false, end: { reason: 'maxUsd', count: 1, limit: 1, step: 3 } });
  });

  it('ends the run when recorded tool calls exceed maxToolCalls', async () => {
    const [store] = make();
    const l = limits({ maxToolCalls: 2 });
    await store!.admit(key, l, undefined, T0);
    expect((await store!.record(key, l, served(1, { toolCalls: [call('a'), call('b')] }), T0)).endedNow).toBe(false);
    await store!.admit(key, l, undefined, T0);
    const over = await store!.record(key, l, served(2, { toolCalls: [call('c')] }), T0);
    expect(over).toEqual({ end: { reason: 'maxToolCalls', count: 3, limit: 2, step: 2 }, endedNow: true, repeats: [1] });
    expect(await store!.admit(key, l, undefined, T0)).toEqual({ ok: false, end: over.end });
  });

  it('ends the run when the same tool call is proposed more than maxRepeats times', async () => {
    const [store] = make();
    const l = limits({ maxRepeats: 3 });
    for (let step = 1; step <= 3; step++) {
      await store!.admit(key, l, undefined, T0);
      const outcome = await store!.record(key, l, served(step, { toolCalls: [call('search'), call('other', `o${step}`)] }), T0);
      expect(outcome).toEqual({ end: undefined, endedNow: false, repeats: [step, 1] });
    }
    await store!.admit(key, l, undefined, T0);
    const fourth = await store!.record(key, l, served(4, { toolCalls: [call('search')] }), T0);
    const end = { reason: 'repeatedToolCall', count: 4, limit: 3, tool: 'search', step: 4 };
    expect(fourth).toEqual({ end, endedNow: true, repeats: [4] });
    expect(await store!.admit(key, l, undefined, T0)).toEqual({ ok: false, end });
    // Steps of an ended run that were already in flight are still recorded, and do not re-end it.
    expect(await store!.record(key, l, served(5, { toolCalls: [call('search')] }), T0)).toEqual({ end, endedNow: false, repeats: [5] });
  });

  it('refuses a request repeated more than maxRepeats times after it was answered', async () => {
    const [store] = make();
    const l = limits({ maxRepeats: 2 });
    // The first send and two repetitions are served.
    for (let step = 1; step <= 3; step++) {
      expect(await store!.admit(key, l, 'fp-a', T0)).toEqual({ ok: true, step });
      await store!.record(key, l, served(step, { fingerprint: 'fp-a' }), T0);
    }
    expect(await store!.admit(key, l, 'fp-b', T0)).toEqual({ ok: true, step: 4 });
    expect(await store!.admit(key, l, 'fp-a', T0)).toEqual({ ok: false, end: { reason: 'repeatedRequest', count: 3, limit: 2, step: 5 } });
  });

  it('a request admitted but never served (the provider failed) does not count as a repeat', async () => {
    const [store] = make();
    const l = limits({ maxRepeats: 1 });
    await store!.admit(key, l, 'fp', T0);
    await store!.record(key, l, served(1, { fingerprint: 'fp' }), T0);
    for (let i = 0; i < 3; i++) expect((await store!.admit(key, l, 'fp', T0)).ok).toBe(true);
  });

  it('keeps runs of different tenants and run ids apart', async () => {
    const [store] = make();
    const l = limits({ maxSteps: 1 });
    // Names that would run together if simply joined.
    expect((await store!.admit({ tenant: 'a:b', runId: 'c' }, l, undefined, T0)).ok).toBe(true);
    expect((await store!.admit({ tenant: 'a', runId: 'b:c' }, l, undefined, T0)).ok).toBe(true);
    expect((await store!.admit(key, l, undefined, T0)).ok).toBe(true);
    expect((await store!.admit(key, l, undefined, T0)).ok).toBe(false);
    expect((await store!.admit({ tenant: 'other', runId: key.runId }, l, undefined, T0)).ok).toBe(true);
    expect((await store!.admit({ tenant: key.tenant, runId: 'run-2' }, l, undefined, T0)).ok).toBe(true);
  });

  it('forgets a run idle for longer than idleTimeout, ended or not; activity keeps it', async () => {
    const [store] = make();
    const l = limits({ maxSteps: 1, idleTimeoutMs: 10 * MINUTE });
    await store!.admit(key, l, undefined, T0);
    // Refusals are activity too: an agent hammering an ended run keeps it ended.
    expect((await store!.admit(key, l, undefined, T0 + 10 * MINUTE)).ok).toBe(false);
    expect((await store!.admit(key, l, undefined, T0 + 20 * MINUTE)).ok).toBe(false);
    expect(await store!.admit(key, l, undefined, T0 + 30 * MINUTE + 1)).toEqual({ ok: true, step: 1 });
  });

  it('remembers a bounded number of distinct calls per run, forgetting the least recently seen', async () => {
    const [store] = make();
    const l = limits({ maxRepeats: 2 });
    const others = (from: number, n: number) => Array.from({ length: n }, (_, i) => call('other', `id-${from + i}`));
    await store!.admit(key, l, undefined, T0);
    await store!.record(key, l, served(1, { toolCalls: [call('old'), call('loop')] }), T0);
    // Enough other calls to fill the run's memory; the looping call keeps being seen.
    await store!.record(key, l, served(2, { toolCalls: [...others(0, MAX_TRACKED_PER_RUN - 2), call('loop')] }), T0);
    const outcome = await store!.record(key, l, served(3, { toolCalls: [...others(MAX_TRACKED_PER_RUN, 5), call('old'), call('loop')] }), T0);
    // 'old' was forgotten (seen once again, as new); 'loop' was remembered and is now over the limit.
    expect(outcome.repeats.slice(-2)).toEqual([1, 3]);
    expect(outcome.end).toMatchObject({ reason: 'repeatedToolCall', tool: 'loop', count: 3 });
  });

  it('admits exactly maxSteps of many concurrent steps of one run', async () => {
    const stores = make();
    const l = limits({ maxSteps: 10 });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => stores[i % stores.length]!.admit(key, l, undefined, T0)));
    const steps = results.flatMap((r) => (r.ok ? [r.step] : []));
    expect(steps.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('redis run store', () => {
  it('keeps a run in hash-tagged keys whose TTL is the idle timeout', async () => {
    const connection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
    connections.push(connection);
    const store = new RedisRunStore(connection, `test:${randomUUID()}:`);
    await store.admit(key, limits({ idleTimeoutMs: 5 * MINUTE }), undefined, Date.now());
    await store.record(key, limits({ idleTimeoutMs: 5 * MINUTE }), served(1, { toolCalls: [call('a')] }), Date.now());
    const name = store.keyOf(key);
    expect(name).toMatch(/:run:v1:\{team\|run-1\}$/);
    for (const k of [name, `${name}:seen`]) {
      const ttl = await connection.pttl(k);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(5 * MINUTE);
    }
  });
});

describe('memory run store', () => {
  it('holds at most maxRuns runs, dropping the least recently active', async () => {
    let evicted = 0;
    const store = new MemoryRunStore({ maxRuns: 100, onEvictActive: () => evicted++ });
    const l = limits({ maxSteps: 1 });
    await store.admit({ tenant: 't', runId: 'kept' }, l, undefined, T0);
    for (let i = 0; i < 5000; i++) {
      await store.admit({ tenant: 't', runId: `flood-${i}` }, l, undefined, T0);
      if (i % 50 === 0) await store.admit({ tenant: 't', runId: 'kept' }, l, undefined, T0);
    }
    expect(store.size).toBe(100);
    expect(evicted).toBe(4901);
    // The run kept active was never dropped: it is still ended.
    expect((await store.admit({ tenant: 't', runId: 'kept' }, l, undefined, T0)).ok).toBe(false);
  });

  it('drops idle runs first, before any active one', async () => {
    let evicted = 0;
    const store = new MemoryRunStore({ maxRuns: 10, onEvictActive: () => evicted++ });
    for (let i = 0; i < 10; i++) await store.admit({ tenant: 't', runId: `old-${i}` }, limits({ idleTimeoutMs: MINUTE }), undefined, T0);
    await store.admit({ tenant: 't', runId: 'new' }, limits(), undefined, T0 + 2 * MINUTE);
    expect(store.size).toBe(1);
    expect(evicted).toBe(0);
  });
});
