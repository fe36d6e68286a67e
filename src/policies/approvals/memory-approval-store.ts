import { retentionOf, statusOf, type ApprovalRecord, type ApprovalStore, type DecideOutcome, type Decision, type ListFilter } from './approval-types.ts';

// Approvals in this process: a Map in creation order, bounded by `maxRecords`. Past the
// bound, forgotten records go first, then the oldest; a forgotten pending approval is never
// released (its run simply proceeds and the model may propose again), so the bound costs
// availability, never safety.

export interface MemoryApprovalStoreOptions {
  readonly maxRecords: number;
  /** Called when a still-open approval had to be forgotten to make room. */
  readonly onEvictOpen?: () => void;
}

export class MemoryApprovalStore implements ApprovalStore {
  readonly #records = new Map<string, ApprovalRecord>();
  /** `tenant|run` → approval id. */
  readonly #openByRun = new Map<string, string>();
  readonly #max: number;
  readonly #onEvictOpen: (() => void) | undefined;

  constructor(options: MemoryApprovalStoreOptions) {
    this.#max = options.maxRecords;
    this.#onEvictOpen = options.onEvictOpen;
  }

  async create(record: ApprovalRecord, now: number): Promise<void> {
    this.#sweep(now);
    while (this.#records.size >= this.#max) {
      const oldest = this.#records.values().next().value!;
      if (oldest.status === 'pending' || oldest.status === 'approved' || oldest.status === 'rejected') this.#onEvictOpen?.();
      this.#forget(oldest);
    }
    this.#records.set(record.id, record);
    if (record.runId !== undefined) this.#openByRun.set(runKey(record.tenant, record.runId), record.id);
  }

  async get(id: string, now: number): Promise<ApprovalRecord | undefined> {
    return this.#get(id, now);
  }

  /** Synchronous, so each operation reads and writes with no other in between. */
  #get(id: string, now: number): ApprovalRecord | undefined {
    const record = this.#records.get(id);
    if (record === undefined || retentionOf(record) <= now) return undefined;
    return record;
  }

  async openFor(tenant: string, runId: string, now: number): Promise<ApprovalRecord | undefined> {
    const id = this.#openByRun.get(runKey(tenant, runId));
    return id === undefined ? undefined : this.#get(id, now);
  }

  async decide(id: string, decision: Decision, reason: string | undefined, now: number): Promise<DecideOutcome> {
    const record = this.#get(id, now);
    if (record === undefined || statusOf(record, now) === 'expired') return { ok: false, why: 'unknown' };
    if (record.status !== 'pending') return { ok: false, why: 'decided', record };
    const decided: ApprovalRecord = { ...record, status: decision === 'approve' ? 'approved' : 'rejected', decidedAt: now, ...(reason === undefined ? {} : { reason }) };
    this.#records.set(id, decided);
    return { ok: true, record: decided };
  }

  async close(id: string, now: number): Promise<ApprovalRecord | undefined> {
    const record = this.#get(id, now);
    if (record === undefined) return undefined;
    const status = statusOf(record, now);
    if (status !== 'approved' && status !== 'rejected' && status !== 'expired') return undefined;
    this.#records.set(id, { ...record, status: status === 'approved' ? 'released' : 'refused', closedAt: now });
    if (record.runId !== undefined) {
      const key = runKey(record.tenant, record.runId);
      if (this.#openByRun.get(key) === id) this.#openByRun.delete(key);
    }
    return record;
  }

  async list(filter: ListFilter, now: number): Promise<ApprovalRecord[]> {
    this.#sweep(now);
    const out: ApprovalRecord[] = [];
    for (const record of [...this.#records.values()].reverse()) {
      if (out.length >= filter.limit) break;
      if (filter.tenant !== undefined && record.tenant !== filter.tenant) continue;
      if (filter.status !== undefined && statusOf(record, now) !== filter.status) continue;
      out.push(record);
    }
    return out;
  }

  /** Drops records past their retention, oldest first (creation order, equal expiry for all). */
  #sweep(now: number): void {
    for (const record of this.#records.values()) {
      if (retentionOf(record) > now) break;
      this.#forget(record);
    }
  }

  #forget(record: ApprovalRecord): void {
    this.#records.delete(record.id);
    if (record.runId === undefined) return;
    const key = runKey(record.tenant, record.runId);
    if (this.#openByRun.get(key) === record.id) this.#openByRun.delete(key);
  }
}

const runKey = (tenant: string, runId: string) => `${tenant}|${runId}`;
