import pino from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connectState, type SharedState } from '../../state/shared-state.ts';
import { MemoryResponseStore, responseStoreFor, type ResponseStore, type StoredResponse } from './store.ts';

const logger = pino({ level: 'silent' });
const entry = (text: string): StoredResponse => ({ response: { id: 'resp_1', output_text: text }, inputItems: [], messages: [{ role: 'user', content: text }] });
const states: SharedState[] = [];
afterAll(async () => {
  for (const state of states) await state.close();
});

function contract(name: string, make: (ttlMs: number) => Promise<ResponseStore>) {
  describe(name, () => {
    it('keeps an entry for its tenant only', async () => {
      const store = await make(60_000);
      const id = `resp_${Math.random().toString(36).slice(2)}`;
      await store.put('team-a', id, entry('secret'));
      expect((await store.get('team-a', id))?.messages).toEqual([{ role: 'user', content: 'secret' }]);
      expect(await store.get('team-b', id)).toBeUndefined();
      expect(await store.delete('team-b', id)).toBe(false);
      expect(await store.get('team-a', id)).toBeDefined();
      expect(await store.delete('team-a', id)).toBe(true);
      expect(await store.get('team-a', id)).toBeUndefined();
    });

    it('does not confuse tenants whose names and ids could be joined alike', async () => {
      const store = await make(60_000);
      await store.put('a:b', 'c', entry('one'));
      expect(await store.get('a', 'b:c')).toBeUndefined();
    });

    it('forgets an entry after its TTL', async () => {
      const store = await make(1_000);
      await store.put('t', 'resp_ttl', entry('x'));
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await store.get('t', 'resp_ttl')).toBeUndefined();
    });
  });
}

contract('memory response store', async (ttlMs) => new MemoryResponseStore({ ttlMs, maxMemoryEntries: 100, maxMemoryBytes: 1024 * 1024 }));
contract('Redis response store', async (ttlMs) => {
  const state = connectState({ kind: 'redis', url: inject('redisUrl'), onUnavailable: 'deny', keyPrefix: `rs${Math.random().toString(36).slice(2)}:` }, logger);
  states.push(state);
  await state.ready(5_000);
  return responseStoreFor(state, { ttlMs, maxMemoryEntries: 100, maxMemoryBytes: 1024 * 1024 });
});

describe('memory bound', () => {
  it('drops the oldest entries past maxMemoryBytes, and never keeps one larger than it', async () => {
    const big = (n: number): StoredResponse => ({ response: {}, inputItems: [], messages: [{ role: 'user', content: 'x'.repeat(n) }] });
    const store = new MemoryResponseStore({ ttlMs: 60_000, maxMemoryEntries: 100, maxMemoryBytes: 2_000 });
    await store.put('t', 'a', big(800));
    await store.put('t', 'b', big(800));
    await store.put('t', 'c', big(800));
    expect(await store.get('t', 'a')).toBeUndefined();
    expect(await store.get('t', 'c')).toBeDefined();
    await store.put('t', 'huge', big(5_000));
    expect(await store.get('t', 'huge')).toBeUndefined();
    expect(await store.get('t', 'c')).toBeDefined();
  });

  it('drops the oldest entries past maxMemoryEntries', async () => {
    const store = new MemoryResponseStore({ ttlMs: 60_000, maxMemoryEntries: 2, maxMemoryBytes: 1024 * 1024 });
    await store.put('t', '1', entry('1'));
    await store.put('t', '2', entry('2'));
    await store.put('t', '3', entry('3'));
    expect(await store.get('t', '1')).toBeUndefined();
    expect(await store.get('t', '3')).toBeDefined();
  });
});
