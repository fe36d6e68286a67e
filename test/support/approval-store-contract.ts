import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ApprovalRecord, ApprovalStore } from '../../src/policies/approvals/approval-types.ts';

// The behaviour every ApprovalStore must have, run against each implementation
// (src/policies/approvals/memory-approval-store.test.ts and redis-approval-store.test.ts).

// Near the real time: Redis expires keys by its own clock.
const T0 = Date.now();
const HOUR = 3_600_000;

export function pending(tenant: string, runId: string | undefined, createdAt = T0): ApprovalRecord {
  return {
    id: `apr_${randomUUID().replaceAll('-', '')}`,
    tenant,
    runId,
    requestId: 'req-1',
    model: 'fake-model',
    calls: [{ id: 'call_1', name: 'issue_refund', arguments: '{"order":"A-1","amount":20}' }],
    argsHash: '0123456789abcdef',
    createdAt,
    expiresAt: createdAt + HOUR,
    status: 'pending',
  };
}

export function approvalStoreContract(name: string, makeStore: () => ApprovalStore): void {
  describe(`${name} approval store contract`, () => {
    it('stores a pending approval, finds it by id and as its run\'s open approval', async () => {
      const store = makeStore();
      const record = pending('t', 'run-1');
      await store.create(record, T0);
      expect(await store.get(record.id, T0)).toEqual(record);
      expect(await store.openFor('t', 'run-1', T0)).toEqual(record);
      expect(await store.openFor('other', 'run-1', T0)).toBeUndefined();
      expect(await store.get('apr_unknown', T0)).toBeUndefined();
    });

    it('decides once: a second decision is refused with the first one', async () => {
      const store = makeStore();
      const record = pending('t', 'run-2');
      await store.create(record, T0);
      const first = await store.decide(record.id, 'approve', 'looks fine', T0 + 10);
      expect(first).toEqual({ ok: true, record: { ...record, status: 'approved', decidedAt: T0 + 10, reason: 'looks fine' } });
      const second = await store.decide(record.id, 'reject', undefined, T0 + 20);
      expect(second.ok).toBe(false);
      expect(second.ok === false && second.why).toBe('decided');
      expect(await store.decide('apr_unknown', 'approve', undefined, T0)).toEqual({ ok: false, why: 'unknown' });
    });

    it('an expired approval cannot be decided and is collected as refused', async () => {
      const store = makeStore();
      const record = pending('t', 'run-3');
      await store.create(record, T0);
      expect(await store.close(record.id, T0 + HOUR - 1)).toBeUndefined(); // still pending
      expect(await store.decide(record.id, 'approve', undefined, T0 + HOUR)).toEqual({ ok: false, why: 'unknown' });
      expect((await store.list({ status: 'expired', tenant: 't', limit: 10 }, T0 + HOUR)).map((r) => r.id)).toEqual([record.id]);
      const closed = await store.close(record.id, T0 + HOUR);
      expect(closed?.status).toBe('pending');
      expect((await store.get(record.id, T0 + HOUR))?.status).toBe('refused');
      expect(await store.openFor('t', 'run-3', T0 + HOUR)).toBeUndefined();
    });

    it('collects a decision exactly once, releasing an approved turn and refusing a rejected one', async () => {
      const store = makeStore();
      const yes = pending('t', 'run-4');
      const no = pending('t', 'run-5');
      await store.create(yes, T0);
      await store.create(no, T0);
      await store.decide(yes.id, 'approve', undefined, T0 + 1);
      await store.decide(no.id, 'reject', 'too much', T0 + 1);
      const [a, b] = await Promise.all([store.close(yes.id, T0 + 2), store.close(yes.id, T0 + 2)]);
      expect([a?.status, b?.status].filter(Boolean)).toEqual(['approved']);
      expect((await store.close(no.id, T0 + 2))?.reason).toBe('too much');
      expect((await store.get(yes.id, T0 + 3))?.status).toBe('released');
      expect((await store.get(no.id, T0 + 3))?.status).toBe('refused');
      expect(await store.openFor('t', 'run-4', T0 + 3)).toBeUndefined();
    });

    it('a new approval of the run replaces its open one', async () => {
      const store = makeStore();
      const first = pending('t', 'run-6');
      const second = pending('t', 'run-6', T0 + 5);
      await store.create(first, T0);
      await store.create(second, T0 + 5);
      expect((await store.openFor('t', 'run-6', T0 + 6))?.id).toBe(second.id);
    });

    it('lists newest first, filtered by tenant and status, up to the limit', async () => {
      const store = makeStore();
      const tenant = `list-${randomUUID()}`;
      const records = [pending(tenant, undefined, T0), pending(tenant, undefined, T0 + 1), pending(tenant, undefined, T0 + 2), pending('elsewhere', undefined, T0 + 3)];
      for (const r of records) await store.create(r, r.createdAt);
      await store.decide(records[1]!.id, 'reject', undefined, T0 + 4);
      expect((await store.list({ tenant, limit: 10 }, T0 + 5)).map((r) => r.id)).toEqual([records[2]!.id, records[1]!.id, records[0]!.id]);
      expect((await store.list({ tenant, status: 'pending', limit: 1 }, T0 + 5)).map((r) => r.id)).toEqual([records[2]!.id]);
      expect((await store.list({ tenant, status: 'rejected', limit: 10 }, T0 + 5)).map((r) => r.id)).toEqual([records[1]!.id]);
    });

    it('forgets a record after its retention (its expiry, then as long again)', async () => {
      const store = makeStore();
      const record = pending('t', 'run-7');
      await store.create(record, T0);
      expect(await store.get(record.id, T0 + 2 * HOUR - 1)).toBeDefined();
      expect(await store.get(record.id, T0 + 2 * HOUR)).toBeUndefined();
      expect(await store.openFor('t', 'run-7', T0 + 2 * HOUR)).toBeUndefined();
    });
  });
}
