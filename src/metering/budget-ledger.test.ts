import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { connectState } from '../state/shared-state.ts';
import { BudgetLedger } from './budget-ledger.ts';
import type { Amounts, LimitSpec } from './limits.ts';

// The ledger over the memory store, with a fake clock: window edges, arithmetic, expiry.

const logger = pino({ level: 'silent' });
const spec = (window: LimitSpec['window'], measure: LimitSpec['measure'], limit: number): LimitSpec => ({
  id: `${window}.${measure}.*`,
  window,
  measure,
  model: undefined,
  limit,
});
const amounts = (tokens: number, usd = 0): Amounts => ({ requests: 1, tokens, input_tokens: tokens, output_tokens: 0, usd });

function ledgerAt(iso: string, ttlMs = 60_000) {
  const clock = { now: Date.parse(iso) };
  const ledger = new BudgetLedger(connectState({ kind: 'memory' }, logger), { reservationTtlMs: ttlMs, logger, now: () => clock.now });
  return { ledger, clock, set: (at: string) => (clock.now = Date.parse(at)) };
}

async function spend(ledger: BudgetLedger, limits: LimitSpec[], reserve: Amounts, actual: Amounts) {
  const held = await ledger.reserve('t', limits, reserve);
  if (!held.ok) return held;
  await ledger.settle(held.reservation, actual);
  return held;
}

describe('budget ledger', () => {
  it('a monthly budget resets on the 1st at 00:00 UTC, not a moment before', async () => {
    const { ledger, set } = ledgerAt('2026-01-31T23:59:00Z');
    const month = [spec('month', 'tokens', 100)];
    expect((await spend(ledger, month, amounts(100), amounts(100))).ok).toBe(true);
    set('2026-01-31T23:59:59.999Z');
    const refused = await ledger.reserve('t', month, amounts(1));
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.refused[0]!.resetAt).toBe(Date.parse('2026-02-01T00:00:00Z'));
    set('2026-02-01T00:00:00Z');
    expect((await ledger.reserve('t', month, amounts(100))).ok).toBe(true);
  });

  it('a daily budget resets at midnight UTC', async () => {
    const { ledger, set } = ledgerAt('2026-03-10T23:00:00Z');
    const day = [spec('day', 'tokens', 10)];
    await spend(ledger, day, amounts(10), amounts(10));
    expect((await ledger.reserve('t', day, amounts(1))).ok).toBe(false);
    set('2026-03-11T00:00:00Z');
    expect((await ledger.read('t', day))[0]).toMatchObject({ used: 0, reserved: 0 });
  });

  it('refunds the unused part of a reservation and charges beyond it', async () => {
    const { ledger } = ledgerAt('2026-03-10T12:00:00Z');
    const limits = [spec('day', 'tokens', 1000), spec('day', 'usd', 5_000_000)];
    const held = await ledger.reserve('t', limits, amounts(400, 2_000_000));
    expect(held.ok && held.statuses.map((s) => s.reserved)).toEqual([400, 2_000_000]);
    if (!held.ok) throw new Error('refused');
    await ledger.settle(held.reservation, amounts(150, 750_000));
    expect((await ledger.read('t', limits)).map((s) => [s.used, s.reserved])).toEqual([[150, 0], [750_000, 0]]);
  });

  it('a reservation its process never settled (it crashed) frees its capacity when it expires', async () => {
    const { ledger, set } = ledgerAt('2026-03-10T12:00:00Z', 30_000);
    const day = [spec('day', 'tokens', 100)];
    expect((await ledger.reserve('t', day, amounts(100))).ok).toBe(true); // never settled
    set('2026-03-10T12:00:29Z');
    expect((await ledger.reserve('t', day, amounts(1))).ok).toBe(false);
    set('2026-03-10T12:00:30Z');
    expect((await ledger.reserve('t', day, amounts(100))).ok).toBe(true);
  });

  it('a stream settled after its window ended is charged to the window it reserved in', async () => {
    const { ledger, set } = ledgerAt('2026-03-10T23:59:50Z');
    const day = [spec('day', 'tokens', 100)];
    const held = await ledger.reserve('t', day, amounts(50));
    if (!held.ok) throw new Error('refused');
    set('2026-03-11T00:00:10Z');
    await ledger.settle(held.reservation, amounts(40));
    expect((await ledger.read('t', day))[0]).toMatchObject({ used: 0, reserved: 0 });
    set('2026-03-10T23:59:59Z');
    expect((await ledger.read('t', day))[0]).toMatchObject({ used: 40, reserved: 0 });
  });
});
