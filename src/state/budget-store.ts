// Where budget counters live. A counter is one limit's one window for one tenant, holding
// what was committed (`used`) and what in-flight requests hold (`reserved`). Both stores
// (memory, Redis) implement exactly these semantics; one contract test suite runs on both.
//
// - reserve: all or nothing. Every counter must fit used + reserved + amount <= limit, or
//   nothing changes and the refused counters are named. A reservation expires at its
//   `expiresAt`; expired ones are reclaimed (their amounts released) by the next operation
//   on the tenant, so a process that died between reserve and settle leaks nothing for long.
// - settle: releases the reservation (if it still exists) and commits the actual amounts,
//   even when the reservation already expired (usage is never lost). Settling the same id
//   twice commits once (a retried settle after a lost reply is safe).
// - read: the counters' current state.
// Every amount is a non-negative safe integer (callers check; stores refuse anything else).

export interface CounterRef {
  /** The limit's id and window start, e.g. `month.usd.*@1767225600000`. */
  readonly key: string;
  /** ms since the epoch after which the counter may be dropped; Infinity keeps it forever. */
  readonly expiresAt: number;
}

export interface ReserveItem extends CounterRef {
  readonly limit: number;
  readonly amount: number;
}

export interface SettleItem extends CounterRef {
  readonly amount: number;
}

export interface CounterState {
  readonly used: number;
  readonly reserved: number;
}

export type ReserveOutcome =
  /** `counters`: each counter after the reservation. */
  | { readonly ok: true; readonly counters: readonly CounterState[] }
  /** `refused`: indexes of the items that did not fit; `counters`: each counter as it stands. */
  | { readonly ok: false; readonly refused: readonly number[]; readonly counters: readonly CounterState[] };

export interface BudgetStore {
  reserve(tenant: string, id: string, items: readonly ReserveItem[], expiresAt: number, now: number): Promise<ReserveOutcome>;
  settle(tenant: string, id: string, items: readonly SettleItem[], now: number): Promise<void>;
  read(tenant: string, counters: readonly CounterRef[], now: number): Promise<CounterState[]>;
}

/**
 * How long a settled id is remembered, so a repeated settle is a no-op. A settle is retried
 * only when its reply was lost (Redis went away mid-command); retries come within seconds
 * while Redis answers. Kept short because every request leaves one entry.
 */
export const SETTLED_MEMORY_MS = 60_000;

export function assertAmount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative safe integer, got ${value}`);
}

export function checkItems(items: readonly (CounterRef & { amount: number; limit?: number })[]): void {
  for (const item of items) {
    assertAmount(item.amount, `amount for ${item.key}`);
    if (item.limit !== undefined) assertAmount(item.limit, `limit for ${item.key}`);
    if (!(item.expiresAt > 0)) throw new RangeError(`expiresAt for ${item.key} must be positive`);
    if (/\s/.test(item.key) || item.key === '') throw new RangeError(`counter key must be non-empty without spaces: ${JSON.stringify(item.key)}`);
  }
}
