import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { kvStoreContract } from '../../test/support/kv-store-contract.ts';
import { MemoryKvStore } from './kv-store.ts';
import { RedisKvStore } from './redis-kv-store.ts';

kvStoreContract('memory', async () => {
  let now = 1_000_000;
  const store = new MemoryKvStore(1024 * 1024, () => now);
  return { store, advance: async (ms) => void (now += ms) };
});

const redis = new Redis(inject('redisUrl'));
afterAll(() => redis.quit());
kvStoreContract('redis', async () => {
  const store = new RedisKvStore(redis, `kv-${randomUUID().slice(0, 8)}:`);
  return { store, advance: (ms) => sleep(ms) };
});

describe('memory store bound', () => {
  it('evicts the least recently used entries to stay within its bytes', async () => {
    const store = new MemoryKvStore(10_000);
    const value = Buffer.alloc(1_000);
    for (let i = 0; i < 8; i++) await store.set(`k${i}`, value, 60_000);
    await store.get('k0'); // used again: now the most recent
    for (let i = 8; i < 20; i++) await store.set(`k${i}`, value, 60_000);
    expect(store.bytes).toBeLessThanOrEqual(10_000);
    expect(await store.get('k0')).toBeUndefined(); // even k0 goes once enough newer keys arrive
    expect(await store.get('k19')).toBeDefined();
  });

  it('keeps a recently read entry over an older unread one', async () => {
    const store = new MemoryKvStore(3_500);
    const value = Buffer.alloc(1_000);
    await store.set('a', value, 60_000);
    await store.set('b', value, 60_000);
    await store.set('c', value, 60_000);
    await store.get('a');
    await store.set('d', value, 60_000);
    expect(await store.get('a')).toBeDefined();
    expect(await store.get('b')).toBeUndefined();
  });

  it('never holds a value larger than the whole bound, and keeps what it had', async () => {
    const store = new MemoryKvStore(5_000);
    await store.set('small', Buffer.alloc(100), 60_000);
    await store.set('huge', Buffer.alloc(6_000), 60_000);
    expect(await store.get('huge')).toBeUndefined();
    expect(await store.get('small')).toBeDefined();
  });

  it('stays bounded under many distinct keys', async () => {
    const store = new MemoryKvStore(64 * 1024);
    for (let i = 0; i < 20_000; i++) await store.set(`key-${i}`, Buffer.alloc(200), 60_000);
    expect(store.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(store.size).toBeLessThan(300);
  });
});
