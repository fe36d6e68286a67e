import { describe, expect, it } from 'vitest';
import { IdempotencyRecords } from './idempotency-records.ts';
import { MemoryKvStore } from './kv-store.ts';

const hash = (c: string) => c.repeat(43);
const answer = { body: Buffer.from('{"ok":1}'), storedAt: 1, model: 'm', usage: undefined };
const never = new AbortController().signal;

function records(waitMs = 2_000) {
  return new IdempotencyRecords(new MemoryKvStore(1024 * 1024), { windowMs: 60_000, waitMs });
}

describe('idempotency records', () => {
  it('claim once, then replay the answer for the same body and refuse another body', async () => {
    const r = records();
    const first = await r.claim('t', 'k', hash('a'), never);
    expect(first.kind).toBe('claimed');
    if (first.kind === 'claimed') await first.complete(answer);
    const again = await r.claim('t', 'k', hash('a'), never);
    expect(again.kind === 'replay' && again.answer.body.toString()).toBe('{"ok":1}');
    expect((await r.claim('t', 'k', hash('b'), never)).kind).toBe('conflict');
  });

  it('keep tenants apart', async () => {
    const r = records();
    expect((await r.claim('t1', 'k', hash('a'), never)).kind).toBe('claimed');
    expect((await r.claim('t2', 'k', hash('b'), never)).kind).toBe('claimed');
  });

  it('make a duplicate wait for the first, and free the key when the first fails', async () => {
    const r = records();
    const first = await r.claim('t', 'k', hash('a'), never);
    const waiting = r.claim('t', 'k', hash('a'), never);
    if (first.kind === 'claimed') await first.release();
    const second = await waiting;
    expect(second.kind).toBe('claimed');
  });

  it('answer in-progress after the bounded wait', async () => {
    const r = records(120);
    await r.claim('t', 'k', hash('a'), never);
    expect((await r.claim('t', 'k', hash('a'), never)).kind).toBe('in-progress');
  });
});
