import type { Logger } from 'pino';
import type { Config, TenantCacheConfig } from '../config/schema.ts';
import type { PriceBook } from '../metering/pricing.ts';
import type { SharedState } from '../state/shared-state.ts';
import { decodeAnswer, encodeAnswer, type CachedAnswer } from './cached-answer.ts';
import { CacheStats } from './cache-stats.ts';
import { Coalescer } from './coalescer.ts';
import { GuardedKvStore } from './guarded-kv-store.ts';
import { IdempotencyRecords } from './idempotency-records.ts';
import { MemoryKvStore, type KvStore } from './kv-store.ts';
import { RedisKvStore } from './redis-kv-store.ts';

// The response cache and idempotency records of one gateway process, built once from the
// config: stores (memory, or Redis through the shared state), the coalescer, and the
// counters metrics read. A cache store that fails is a miss, never a failed request.

export interface ResponseCacheOptions {
  readonly config: Config;
  readonly state: SharedState;
  readonly logger: Logger;
  readonly prices: PriceBook;
  /** The clock for TTLs and ages (tests use a fake one). */
  readonly now?: () => number;
}

const WARN_EVERY_MS = 10_000;
// Idempotency records keep answers up to this size when the cache (and its `maxEntryBytes`) is off.
const DEFAULT_MAX_ENTRY_BYTES = 2 * 1024 * 1024;

export class ResponseCache {
  readonly stats = new CacheStats();
  readonly coalescer = new Coalescer();
  /** Undefined when the cache is off (no `cache` section); idempotency works either way. */
  readonly enabled: boolean;
  readonly ttlMs: number;
  readonly maxEntryBytes: number;
  readonly idempotency: IdempotencyRecords | undefined;
  readonly now: () => number;
  readonly #store: KvStore | undefined;
  readonly #tenants: Config['tenants'];
  readonly #logger: Logger;
  readonly #prices: PriceBook;
  #lastWarn = 0;

  constructor(options: ResponseCacheOptions) {
    const { config, state } = options;
    this.now = options.now ?? Date.now;
    this.#tenants = config.tenants;
    this.#logger = options.logger;
    this.#prices = options.prices;
    const cache = config.cache;
    this.enabled = cache !== undefined;
    this.ttlMs = cache?.ttl ?? 0;
    this.maxEntryBytes = cache?.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
    if (cache !== undefined) {
      this.#store =
        cache.kind === 'redis' && state.redis !== undefined
          ? new RedisKvStore(state.redis, `${state.keyPrefix}cache:`)
          : new MemoryKvStore(cache.maxBytes, this.now);
    }
    const idem = config.idempotency;
    if (idem.enabled) {
      const local = new MemoryKvStore(idem.maxBytes, this.now);
      const kv = state.redis === undefined ? local : new GuardedKvStore(state, new RedisKvStore(state.redis, state.keyPrefix), local, 'idempotency');
      this.idempotency = new IdempotencyRecords(kv, { windowMs: idem.window, waitMs: idem.wait });
    }
  }

  /** A tenant's cache settings (defaults when it has none). */
  tenantSettings(tenant: string): TenantCacheConfig {
    return this.#tenants[tenant]?.cache ?? { enabled: true, deterministicOnly: true };
  }

  async lookup(key: string): Promise<CachedAnswer | undefined> {
    try {
      const encoded = await this.#store!.get(key);
      return encoded === undefined ? undefined : await decodeAnswer(encoded);
    } catch (err) {
      this.#failed('lookup', err);
      return undefined;
    }
  }

  async save(key: string, answer: CachedAnswer, ttlMs: number): Promise<void> {
    try {
      await this.#store!.set(key, await encodeAnswer(answer), ttlMs);
      this.stats.stores++;
    } catch (err) {
      this.#failed('store', err);
    }
  }

  /** Counts a hit and what it saved, priced at the model that produced the answer. */
  /** Counts a hit; returns what the upstream call would have cost, in USD. */
  countHit(answer: CachedAnswer): number {
    this.stats.hits++;
    const saved = answer.usage === undefined ? 0 : this.#prices.cost(answer.model, answer.usage).usd;
    this.stats.savedUsd += saved;
    return saved;
  }

  #failed(what: string, err: unknown): void {
    this.stats.errors++;
    const now = Date.now();
    if (now - this.#lastWarn < WARN_EVERY_MS) return;
    this.#lastWarn = now;
    this.#logger.warn({ err: err instanceof Error ? err.message : String(err), what }, 'response cache store failed: serving as a miss');
  }
}
