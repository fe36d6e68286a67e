import type { Redis } from 'ioredis';
import { READ_V1, RESERVE_V1, SETTLE_V1 } from './budget-scripts.ts';
import { checkItems, SETTLED_MEMORY_MS, type BudgetStore, type CounterRef, type CounterState, type ReserveItem, type ReserveOutcome, type SettleItem } from './budget-store.ts';
import { LuaScript } from './lua-script.ts';

// The shared budget store: every gateway process reserves against the same counters, each
// operation one atomic Lua script (see budget-scripts.ts for the key schema).

const reserveScript = new LuaScript(RESERVE_V1);
const settleScript = new LuaScript(SETTLE_V1);
const readScript = new LuaScript(READ_V1);

export class RedisBudgetStore implements BudgetStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#prefix = `${keyPrefix}budget:v1:`;
  }

  async reserve(tenant: string, id: string, items: readonly ReserveItem[], expiresAt: number, now: number): Promise<ReserveOutcome> {
    checkItems(items);
    const args: (string | number)[] = [Math.floor(now), id, Math.ceil(expiresAt)];
    for (const item of items) args.push(item.limit, item.amount, counterExpiry(item));
    const reply = (await reserveScript.run(this.#redis, this.#keys(tenant, items), args)) as [number, number[], number[]];
    const counters = pairs(reply[2]);
    return reply[0] === 1 ? { ok: true, counters } : { ok: false, refused: reply[1], counters };
  }

  async settle(tenant: string, id: string, items: readonly SettleItem[], now: number): Promise<void> {
    checkItems(items);
    const args: (string | number)[] = [Math.floor(now), id, Math.floor(now) + SETTLED_MEMORY_MS];
    for (const item of items) args.push(item.amount, counterExpiry(item));
    await settleScript.run(this.#redis, this.#keys(tenant, items), args);
  }

  async read(tenant: string, counters: readonly CounterRef[], now: number): Promise<CounterState[]> {
    const reply = (await readScript.run(this.#redis, this.#keys(tenant, counters), [Math.floor(now)])) as number[];
    return pairs(reply);
  }

  #keys(tenant: string, counters: readonly CounterRef[]): string[] {
    const base = `${this.#prefix}{${tenant}}:`;
    return [`${base}held`, `${base}expiry`, ...counters.map((c) => `${base}c:${c.key}`)];
  }
}

function counterExpiry(ref: CounterRef): number {
  return Number.isFinite(ref.expiresAt) ? Math.ceil(ref.expiresAt) : 0;
}

function pairs(flat: readonly number[]): CounterState[] {
  const out: CounterState[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ used: Number(flat[i]), reserved: Number(flat[i + 1]) });
  return out;
}
