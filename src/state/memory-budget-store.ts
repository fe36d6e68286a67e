import { checkItems, SETTLED_MEMORY_MS, type BudgetStore, type CounterRef, type CounterState, type ReserveItem, type ReserveOutcome, type SettleItem } from './budget-store.ts';

// The single-process budget store: the default, and the stand-in while Redis is unreachable
// under `onUnavailable: allow`. Each operation runs synchronously, so it is atomic within the
// process. Memory stays bounded by what is live: counters go when their window (plus grace)
// is over, reservations when settled or expired, settled ids after SETTLED_MEMORY_MS.

interface Counter {
  used: number;
  reserved: number;
  readonly expiresAt: number;
}

interface Held {
  /** Counter key → amount held. */
  readonly amounts: ReadonlyMap<string, number>;
  readonly expiresAt: number;
}

interface TenantState {
  readonly counters: Map<string, Counter>;
  readonly held: Map<string, Held>;
  /** Settled id → when to forget it. Inserted in time order, so expired ones are at the front. */
  readonly settled: Map<string, number>;
  /** No live reservation expires before this (so most operations skip the sweep). */
  nextExpiry: number;
  lastCounterSweep: number;
}

/**
 * Settled ids remembered per tenant, at most. In one process a settle is never retried, so
 * this only bounds memory (about 100 bytes an id) at high request rates.
 */
const MAX_SETTLED = 50_000;
/** Finished windows are dropped at most this often (per tenant). */
const COUNTER_SWEEP_MS = 1_000;

export class MemoryBudgetStore implements BudgetStore {
  readonly #tenants = new Map<string, TenantState>();

  async reserve(tenant: string, id: string, items: readonly ReserveItem[], expiresAt: number, now: number): Promise<ReserveOutcome> {
    checkItems(items);
    const state = this.#tenant(tenant, now);
    const current = items.map((item) => this.#counter(state, item, now));
    const refused: number[] = [];
    items.forEach((item, i) => {
      const c = current[i]!;
      if (c.used + c.reserved + item.amount > item.limit) refused.push(i);
    });
    if (refused.length > 0 || state.held.has(id) || state.settled.has(id)) {
      return { ok: false, refused, counters: current.map(snapshot) };
    }
    const amounts = new Map<string, number>();
    items.forEach((item, i) => {
      current[i]!.reserved += item.amount;
      amounts.set(item.key, (amounts.get(item.key) ?? 0) + item.amount);
    });
    state.held.set(id, { amounts, expiresAt });
    state.nextExpiry = Math.min(state.nextExpiry, expiresAt);
    return { ok: true, counters: current.map(snapshot) };
  }

  async settle(tenant: string, id: string, items: readonly SettleItem[], now: number): Promise<void> {
    checkItems(items);
    const state = this.#tenant(tenant, now);
    if (state.settled.has(id)) return;
    const held = state.held.get(id);
    if (held !== undefined) {
      release(state, held);
      state.held.delete(id);
    }
    for (const item of items) this.#counter(state, item, now).used += item.amount;
    state.settled.set(id, now + SETTLED_MEMORY_MS);
    if (state.settled.size > MAX_SETTLED) state.settled.delete(state.settled.keys().next().value!);
  }

  async read(tenant: string, counters: readonly CounterRef[], now: number): Promise<CounterState[]> {
    const state = this.#tenant(tenant, now);
    return counters.map((ref) => snapshot(state.counters.get(ref.key) ?? { used: 0, reserved: 0 }));
  }

  /** The tenant's state, with expired reservations reclaimed and finished windows dropped. */
  #tenant(tenant: string, now: number): TenantState {
    let state = this.#tenants.get(tenant);
    if (state === undefined) {
      state = { counters: new Map(), held: new Map(), settled: new Map(), nextExpiry: Infinity, lastCounterSweep: now };
      this.#tenants.set(tenant, state);
      return state;
    }
    for (const [id, forgetAt] of state.settled) {
      if (forgetAt > now) break;
      state.settled.delete(id);
    }
    if (now >= state.nextExpiry) {
      let next = Infinity;
      for (const [id, held] of state.held) {
        if (held.expiresAt > now) {
          next = Math.min(next, held.expiresAt);
          continue;
        }
        release(state, held);
        state.held.delete(id);
      }
      state.nextExpiry = next;
    }
    if (Math.abs(now - state.lastCounterSweep) >= COUNTER_SWEEP_MS) {
      state.lastCounterSweep = now;
      for (const [key, counter] of state.counters) if (counter.expiresAt <= now) state.counters.delete(key);
    }
    return state;
  }

  #counter(state: TenantState, ref: CounterRef, now: number): Counter {
    let counter = state.counters.get(ref.key);
    if (counter === undefined) {
      counter = { used: 0, reserved: 0, expiresAt: ref.expiresAt };
      // A window already over is not kept (a late settle for it changes nothing live).
      if (ref.expiresAt > now) state.counters.set(ref.key, counter);
    }
    return counter;
  }
}

function release(state: TenantState, held: Held): void {
  for (const [key, amount] of held.amounts) {
    const counter = state.counters.get(key);
    if (counter !== undefined) counter.reserved = Math.max(0, counter.reserved - amount);
  }
}

function snapshot(c: { used: number; reserved: number }): CounterState {
  return { used: c.used, reserved: c.reserved };
}
