import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { budgetStoreContract } from '../../test/support/budget-store-contract.ts';
import { RedisBudgetStore } from './redis-budget-store.ts';

const redis = new Redis(inject('redisUrl'), { lazyConnect: false });
afterAll(() => redis.quit());

// A fresh key prefix per store, so tests never see each other's counters.
budgetStoreContract('redis', () => new RedisBudgetStore(redis, `test:${randomUUID()}:`));

describe('redis budget store keys', () => {
  it('keeps one tenant in one cluster slot (hash tag) and versions the schema', async () => {
    const prefix = `test:${randomUUID()}:`;
    const store = new RedisBudgetStore(redis, prefix);
    const now = Date.now();
    await store.reserve('team-a', 'r1', [{ key: 'day.usd.*@0', limit: 10, amount: 1, expiresAt: now + 60_000 }], now + 60_000, now);
    const keys = (await redis.keys(`${prefix}*`)).sort();
    expect(keys).toEqual([`${prefix}budget:v1:{team-a}:c:day.usd.*@0`, `${prefix}budget:v1:{team-a}:expiry`, `${prefix}budget:v1:{team-a}:held`]);
    // Every key expires (the counter with its window, the rest after their last member):
    // an idle tenant leaves nothing behind.
    for (const key of keys) expect(await redis.pttl(key)).toBeGreaterThan(0);
  });

  it('reloads its scripts after SCRIPT FLUSH (a restarted or failed-over Redis)', async () => {
    const store = new RedisBudgetStore(redis, `test:${randomUUID()}:`);
    const now = Date.now();
    await redis.script('FLUSH');
    const out = await store.reserve('t', 'r1', [{ key: 'k', limit: 10, amount: 1, expiresAt: now + 60_000 }], now + 60_000, now);
    expect(out.ok).toBe(true);
  });
});
