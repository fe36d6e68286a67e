import { beforeEach, describe, expect, it } from 'vitest';
import type { KvStore } from '../../src/cache/kv-store.ts';

// One contract for every response-cache store: memory and Redis run the same tests.

export interface KvStoreFixture {
  store: KvStore;
  /** Lets `ms` pass for the store (a fake clock, or real waiting for Redis). */
  advance(ms: number): Promise<void>;
}

export function kvStoreContract(name: string, make: () => Promise<KvStoreFixture>): void {
  describe(`${name} store contract`, () => {
    let f: KvStoreFixture;
    beforeEach(async () => {
      f = await make();
    });

    it('returns what was set, byte for byte, and nothing for an unknown key', async () => {
      const value = Buffer.from([0, 1, 2, 255, 0x44, 10]);
      await f.store.set('k', value, 60_000);
      expect((await f.store.get('k'))?.equals(value)).toBe(true);
      expect(await f.store.get('unknown')).toBeUndefined();
    });

    it('forgets a value when its TTL runs out', async () => {
      await f.store.set('short', Buffer.from('v'), 100);
      await f.store.set('long', Buffer.from('v'), 60_000);
      await f.advance(250);
      expect(await f.store.get('short')).toBeUndefined();
      expect(await f.store.get('long')).toBeDefined();
    });

    it('sets only an absent key, and again once it expired', async () => {
      expect(await f.store.setIfAbsent('m', Buffer.from('first'), 100)).toBe(true);
      expect(await f.store.setIfAbsent('m', Buffer.from('second'), 100)).toBe(false);
      expect((await f.store.get('m'))?.toString()).toBe('first');
      await f.advance(250);
      expect(await f.store.setIfAbsent('m', Buffer.from('third'), 60_000)).toBe(true);
      expect((await f.store.get('m'))?.toString()).toBe('third');
    });

    it('deletes only while the key still holds the given value', async () => {
      await f.store.set('d', Buffer.from('mine'), 60_000);
      await f.store.deleteIfEquals('d', Buffer.from('theirs'));
      expect((await f.store.get('d'))?.toString()).toBe('mine');
      await f.store.deleteIfEquals('d', Buffer.from('mine'));
      expect(await f.store.get('d')).toBeUndefined();
    });

    it('replaces a value and its TTL on set', async () => {
      await f.store.set('r', Buffer.from('old'), 100);
      await f.store.set('r', Buffer.from('new'), 60_000);
      await f.advance(250);
      expect((await f.store.get('r'))?.toString()).toBe('new');
    });
  });
}
