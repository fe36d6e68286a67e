import { describe, expect, it } from 'vitest';
import type { BudgetStore, ReserveItem } from '../../src/state/budget-store.ts';

// The behaviour every BudgetStore must have, run against each implementation
// (src/state/memory-budget-store.test.ts, src/state/redis-budget-store.test.ts).

// Near the real time: Redis expires keys by its own clock, so counters must not be in the past.
const T0 = Date.now();
const HOUR = 3_600_000;

/** A counter that lives for the test's hour. */
const item = (key: string, limit: number, amount: number): ReserveItem => ({ key, limit, amount, expiresAt: T0 + HOUR });

export function budgetStoreContract(name: string, makeStore: () => Promise<BudgetStore> | BudgetStore): void {
  describe(`${name} budget store contract`, () => {
    it('reserves within the limit and reports each counter after it', async () => {
      const store = await makeStore();
      const out = await store.reserve('t', 'r1', [item('a', 100, 60), item('b', 10, 1)], T0 + 60_000, T0);
      expect(out).toEqual({ ok: true, counters: [{ used: 0, reserved: 60 }, { used: 0, reserved: 1 }] });
    });

    it('is all or nothing: one counter that does not fit refuses the lot and changes nothing', async () => {
      const store = await makeStore();
      await store.reserve('t', 'r1', [item('a', 100, 60)], T0 + 60_000, T0);
      const out = await store.reserve('t', 'r2', [item('b', 100, 5), item('a', 100, 41)], T0 + 60_000, T0);
      expect(out).toEqual({ ok: false, refused: [1], counters: [{ used: 0, reserved: 0 }, { used: 0, reserved: 60 }] });
      expect(await store.read('t', [item('a', 0, 0), item('b', 0, 0)], T0)).toEqual([{ used: 0, reserved: 60 }, { used: 0, reserved: 0 }]);
      // Exactly filling the limit fits.
      expect((await store.reserve('t', 'r3', [item('a', 100, 40)], T0 + 60_000, T0)).ok).toBe(true);
    });

    it('settling refunds what was not used, or charges what was used beyond the reservation', async () => {
      const store = await makeStore();
      await store.reserve('t', 'r1', [item('a', 1000, 300)], T0 + 60_000, T0);
      await store.reserve('t', 'r2', [item('a', 1000, 100)], T0 + 60_000, T0);
      await store.settle('t', 'r1', [{ ...item('a', 0, 0), amount: 120 }], T0);
      expect(await store.read('t', [item('a', 0, 0)], T0)).toEqual([{ used: 120, reserved: 100 }]);
      await store.settle('t', 'r2', [{ ...item('a', 0, 0), amount: 150 }], T0);
      expect(await store.read('t', [item('a', 0, 0)], T0)).toEqual([{ used: 270, reserved: 0 }]);
    });

    it('a reservation whose holder died is reclaimed once it expires', async () => {
      const store = await makeStore();
      await store.reserve('t', 'crashed', [item('a', 100, 100)], T0 + 30_000, T0);
      const blocked = await store.reserve('t', 'r2', [item('a', 100, 1)], T0 + 60_000, T0 + 29_999);
      expect(blocked.ok).toBe(false);
      const after = await store.reserve('t', 'r3', [item('a', 100, 100)], T0 + 90_000, T0 + 30_000);
      expect(after).toEqual({ ok: true, counters: [{ used: 0, reserved: 100 }] });
    });

    it('a settle after its reservation expired still commits the usage, and releases nothing twice', async () => {
      const store = await makeStore();
      await store.reserve('t', 'slow', [item('a', 100, 50)], T0 + 1_000, T0);
      await store.reserve('t', 'other', [item('a', 100, 30)], T0 + 60_000, T0 + 2_000);
      await store.settle('t', 'slow', [{ ...item('a', 0, 0), amount: 40 }], T0 + 3_000);
      expect(await store.read('t', [item('a', 0, 0)], T0 + 3_000)).toEqual([{ used: 40, reserved: 30 }]);
    });

    it('settling the same id twice commits once', async () => {
      const store = await makeStore();
      await store.reserve('t', 'r1', [item('a', 100, 50)], T0 + 60_000, T0);
      await store.settle('t', 'r1', [{ ...item('a', 0, 0), amount: 20 }], T0);
      await store.settle('t', 'r1', [{ ...item('a', 0, 0), amount: 20 }], T0 + 1);
      expect(await store.read('t', [item('a', 0, 0)], T0 + 2)).toEqual([{ used: 20, reserved: 0 }]);
    });

    it('a burst of concurrent reservations admits exactly what fits', async () => {
      const store = await makeStore();
      const outs = await Promise.all(
        Array.from({ length: 300 }, (_, i) => store.reserve('t', `burst-${i}`, [item('a', 1000, 7), item('n', 100, 1)], T0 + 60_000, T0)),
      );
      expect(outs.filter((o) => o.ok)).toHaveLength(100);
      expect(await store.read('t', [item('a', 0, 0), item('n', 0, 0)], T0)).toEqual([{ used: 0, reserved: 700 }, { used: 0, reserved: 100 }]);
    });

    it('tenants and counters are separate; a counter whose window is over starts again', async () => {
      const store = await makeStore();
      await store.reserve('t', 'r1', [item('a', 100, 100)], T0 + 60_000, T0);
      expect((await store.reserve('u', 'r1', [item('a', 100, 100)], T0 + 60_000, T0)).ok).toBe(true);
      await store.settle('t', 'r1', [{ ...item('a', 0, 0), amount: 100 }], T0);
      const nextHour = { key: 'a@next', limit: 100, amount: 100, expiresAt: T0 + 2 * HOUR };
      expect(await store.reserve('t', 'r2', [nextHour], T0 + HOUR + 90_000, T0 + HOUR)).toEqual({ ok: true, counters: [{ used: 0, reserved: 100 }] });
    });

    it('refuses negative, fractional, NaN and unsafe amounts, and stores nothing', async () => {
      const store = await makeStore();
      for (const amount of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
        await expect(store.reserve('t', `bad-${amount}`, [item('a', 100, amount)], T0 + 60_000, T0)).rejects.toThrow(RangeError);
        await expect(store.settle('t', `bad-${amount}`, [{ ...item('a', 0, 0), amount }], T0)).rejects.toThrow(RangeError);
      }
      expect(await store.read('t', [item('a', 0, 0)], T0)).toEqual([{ used: 0, reserved: 0 }]);
    });

    it('counts into the billions of nano-dollars exactly', async () => {
      const store = await makeStore();
      const big = 500 * 1e9; // $500 in nano-dollars
      await store.reserve('t', 'r1', [item('usd', big, big - 1)], T0 + 60_000, T0);
      await store.settle('t', 'r1', [{ ...item('usd', 0, 0), amount: big - 1 }], T0);
      expect(await store.read('t', [item('usd', 0, 0)], T0)).toEqual([{ used: big - 1, reserved: 0 }]);
      expect((await store.reserve('t', 'r2', [item('usd', big, 2)], T0 + 60_000, T0)).ok).toBe(false);
      expect((await store.reserve('t', 'r3', [item('usd', big, 1)], T0 + 60_000, T0)).ok).toBe(true);
    });
  });
}
