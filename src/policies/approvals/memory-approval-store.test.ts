import { describe, expect, it } from 'vitest';
import { approvalStoreContract, pending } from '../../../test/support/approval-store-contract.ts';
import { MemoryApprovalStore } from './memory-approval-store.ts';

approvalStoreContract('memory', () => new MemoryApprovalStore({ maxRecords: 1000 }));

describe('memory approval store bounds', () => {
  it('keeps at most maxRecords, forgetting the oldest and saying so', async () => {
    let evicted = 0;
    const store = new MemoryApprovalStore({ maxRecords: 100, onEvictOpen: () => evicted++ });
    const now = Date.now();
    const records = Array.from({ length: 5000 }, (_, i) => pending('t', `run-${i}`, now));
    for (const r of records) await store.create(r, now);
    expect(await store.list({ limit: 10_000 }, now)).toHaveLength(100);
    expect(evicted).toBe(4900);
    expect(await store.get(records[0]!.id, now)).toBeUndefined();
    expect(await store.openFor('t', 'run-0', now)).toBeUndefined();
    expect((await store.openFor('t', 'run-4999', now))?.id).toBe(records[4999]!.id);
  });
});
