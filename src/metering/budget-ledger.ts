import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { GatewayError } from '../proxy/errors.ts';
import type { CounterRef, CounterState, ReserveOutcome } from '../state/budget-store.ts';
import { MemoryBudgetStore } from '../state/memory-budget-store.ts';
import { RedisBudgetStore } from '../state/redis-budget-store.ts';
import type { SharedState } from '../state/shared-state.ts';
import type { Amounts, LimitSpec } from './limits.ts';
import { windowAt } from './windows.ts';

// Reserves and settles against a tenant's limits in the configured store. Redis is used
// through SharedState.guarded: unreachable under `deny` is a 503, under `allow` the process's
// own memory store stands in (a reservation is settled where it was made). A settle that
// cannot reach Redis is kept and retried until it can, so usage is never dropped; the
// reservation meanwhile expires on its own.

export interface LimitStatus {
  readonly spec: LimitSpec;
  readonly used: number;
  readonly reserved: number;
  /** ms since the epoch when the window ends; undefined for `total`. */
  readonly resetAt: number | undefined;
}

export interface Reservation {
  readonly tenant: string;
  readonly id: string;
  readonly limits: readonly LimitSpec[];
  readonly counters: readonly CounterRef[];
  readonly where: 'remote' | 'local';
  /** What was reserved, to notice a settlement beyond it. */
  readonly amounts: Amounts;
}

export type ReserveResult =
  | { readonly ok: true; readonly reservation: Reservation; readonly statuses: readonly LimitStatus[] }
  | { readonly ok: false; readonly refused: readonly LimitStatus[]; readonly statuses: readonly LimitStatus[] };

interface PendingSettle {
  readonly reservation: Reservation;
  readonly actual: Amounts;
  readonly at: number;
}

export interface LedgerOptions {
  /** How long a reservation holds before it is reclaimed (its holder is presumed dead). */
  readonly reservationTtlMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

const RETRY_EVERY_MS = 1_000;
const MAX_PENDING = 100_000;

export class BudgetLedger {
  readonly now: () => number;
  readonly #state: SharedState;
  readonly #remote: RedisBudgetStore | undefined;
  readonly #local = new MemoryBudgetStore();
  readonly #ttl: number;
  readonly #logger: Logger;
  readonly #pending: PendingSettle[] = [];
  #retryTimer: NodeJS.Timeout | undefined;
  #flushing = false;
  #closed = false;

  constructor(state: SharedState, options: LedgerOptions) {
    this.#state = state;
    this.#remote = state.redis === undefined ? undefined : new RedisBudgetStore(state.redis, state.keyPrefix);
    this.#ttl = options.reservationTtlMs;
    this.#logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  /** Reserves `amounts` against every limit at once, or nothing. */
  async reserve(tenant: string, limits: readonly LimitSpec[], amounts: Amounts): Promise<ReserveResult> {
    const now = this.now();
    const counters = this.#counters(limits, now);
    const id = randomUUID();
    const items = limits.map((spec, i) => ({ ...counters[i]!, limit: spec.limit, amount: amounts[spec.measure] }));
    const expiresAt = now + this.#ttl;
    const remote = this.#remote;
    const { outcome, where } = await this.#state.guarded<{ outcome: ReserveOutcome; where: Reservation['where'] }>(
      async () => ({ outcome: await remote!.reserve(tenant, id, items, expiresAt, now), where: 'remote' }),
      async () => ({ outcome: await this.#local.reserve(tenant, id, items, expiresAt, now), where: 'local' }),
      'budget reserve',
    );
    const statuses = statusesOf(limits, outcome.counters, now);
    if (!outcome.ok) return { ok: false, refused: outcome.refused.map((i) => statuses[i]!), statuses };
    return { ok: true, reservation: { tenant, id, limits, counters, where, amounts }, statuses };
  }

  /** Commits what a request used and releases the rest of its reservation. Never throws. */
  async settle(reservation: Reservation, actual: Amounts): Promise<void> {
    // Charged in full all the same; said loudly, since only a provider exceeding its output
    // limit or a prompt counted low can cause it (see README, "cannot be overspent").
    const beyond = reservation.limits.filter((l) => actual[l.measure] > reservation.amounts[l.measure]).map((l) => l.measure);
    if (beyond.length > 0) {
      this.#logger.warn({ tenant: reservation.tenant, measures: [...new Set(beyond)], reserved: reservation.amounts, actual }, 'usage beyond its reservation');
    }
    await this.#trySettle({ reservation, actual, at: this.now() });
  }

  /** Each limit's state in its current window. */
  async read(tenant: string, limits: readonly LimitSpec[]): Promise<LimitStatus[]> {
    const now = this.now();
    const counters = this.#counters(limits, now);
    const remote = this.#remote;
    const states = await this.#state.guarded(
      () => remote!.read(tenant, counters, now),
      () => this.#local.read(tenant, counters, now),
      'budget read',
    );
    return statusesOf(limits, states, now);
  }

  /** Settles not yet delivered (Redis unreachable). */
  get pendingSettles(): number {
    return this.#pending.length;
  }

  /** Stops retrying after one last attempt to deliver what is pending. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#retryTimer);
    this.#retryTimer = undefined;
    await this.#flush();
    if (this.#pending.length > 0) this.#logger.error({ pending: this.#pending.length }, 'budget settlements not delivered at shutdown');
  }

  async #trySettle(settle: PendingSettle): Promise<boolean> {
    const { reservation: r, actual } = settle;
    const items = r.limits.map((spec, i) => ({ ...r.counters[i]!, amount: actual[spec.measure] }));
    try {
      if (r.where === 'local' || this.#remote === undefined) {
        await this.#local.settle(r.tenant, r.id, items, settle.at);
        return true;
      }
      const remote = this.#remote;
      return await this.#state.guarded(
        async () => {
          await remote.settle(r.tenant, r.id, items, settle.at);
          return true;
        },
        () => this.#keep(settle),
        'budget settle',
      );
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'state_unavailable') return this.#keep(settle);
      this.#logger.error({ err, tenant: r.tenant }, 'budget settlement failed');
      return false;
    }
  }

  #keep(settle: PendingSettle): false {
    if (this.#pending.length >= MAX_PENDING) {
      const dropped = this.#pending.shift()!;
      this.#logger.error({ tenant: dropped.reservation.tenant, actual: dropped.actual }, 'budget settlement dropped: too many pending while Redis is unreachable');
    }
    this.#pending.push(settle);
    if (!this.#closed) this.#retryTimer ??= setInterval(() => void this.#flush(), RETRY_EVERY_MS).unref();
    return false;
  }

  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#pending.length > 0) {
        const next = this.#pending.shift()!;
        // Put back (at the end) when still unreachable; stop for this round.
        if (!(await this.#trySettle(next))) break;
      }
      if (this.#pending.length === 0) {
        clearInterval(this.#retryTimer);
        this.#retryTimer = undefined;
      }
    } finally {
      this.#flushing = false;
    }
  }

  #counters(limits: readonly LimitSpec[], now: number): CounterRef[] {
    // A counter outlives its window by the reservation TTL, so a late settle still lands in it.
    const grace = this.#ttl + 60_000;
    return limits.map((spec) => {
      const span = windowAt(spec.window, now);
      return { key: `${spec.id}@${span.start}`, expiresAt: span.end + grace };
    });
  }
}

function statusesOf(limits: readonly LimitSpec[], states: readonly CounterState[], now: number): LimitStatus[] {
  return limits.map((spec, i) => {
    const end = windowAt(spec.window, now).end;
    return { spec, used: states[i]?.used ?? 0, reserved: states[i]?.reserved ?? 0, resetAt: Number.isFinite(end) ? end : undefined };
  });
}
