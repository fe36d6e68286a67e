import type { Redis } from 'ioredis';
import type { KvStore } from './kv-store.ts';

// The same contract in Redis, shared by every replica. Expiry is Redis's own (PX), so a
// process that dies holding a marker frees it when the marker's TTL runs out.

const DELETE_IF_EQUALS = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class RedisKvStore implements KvStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async get(key: string): Promise<Buffer | undefined> {
    return (await this.#redis.getBuffer(this.#prefix + key)) ?? undefined;
  }

  async set(key: string, value: Buffer, ttlMs: number): Promise<void> {
    await this.#redis.set(this.#prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async setIfAbsent(key: string, value: Buffer, ttlMs: number): Promise<boolean> {
    const reply = await this.#redis.set(this.#prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
    return reply === 'OK';
  }

  async deleteIfEquals(key: string, value: Buffer): Promise<void> {
    await this.#redis.eval(DELETE_IF_EQUALS, 1, this.#prefix + key, value);
  }
}
