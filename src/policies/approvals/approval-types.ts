// A pending approval: one model turn whose tool calls wait for a person. The whole turn is
// held (every call in it, not only the approve-tier ones), so an agent never runs half a
// plan; the decision approves or rejects the turn as a whole.

/** Stored states. `expired` is never stored: a pending approval past `expiresAt` reads as it. */
export type StoredStatus = 'pending' | 'approved' | 'rejected' | 'released' | 'refused';
export type ApprovalStatus = StoredStatus | 'expired';
export const APPROVAL_STATUSES: readonly ApprovalStatus[] = ['pending', 'approved', 'rejected', 'expired', 'released', 'refused'];

export interface HeldToolCall {
  /** The call id the model gave (released as is, so the agent's tool results match it). */
  readonly id: string;
  readonly name: string;
  /** The arguments as the model wrote them (JSON text). */
  readonly arguments: string;
}

export interface ApprovalRecord {
  readonly id: string;
  readonly tenant: string;
  /** The agent-run id; undefined for a request without one (resumed by approval id). */
  readonly runId: string | undefined;
  /** The request whose answer was withheld. */
  readonly requestId: string;
  /** The model alias asked for, and the model name the answer carried (used again on release). */
  readonly model: string;
  readonly calls: readonly HeldToolCall[];
  /** sha256 of the turn's calls, 16 hex digits: what audit lines carry instead of the arguments. */
  readonly argsHash: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly status: StoredStatus;
  readonly decidedAt?: number;
  readonly reason?: string;
  /** When the run collected the outcome (released or refused). */
  readonly closedAt?: number;
}

export type Decision = 'approve' | 'reject';

export type DecideOutcome =
  | { readonly ok: true; readonly record: ApprovalRecord }
  | { readonly ok: false; readonly why: 'unknown' }
  | { readonly ok: false; readonly why: 'decided'; readonly record: ApprovalRecord };

export interface ListFilter {
  readonly tenant?: string;
  readonly status?: ApprovalStatus;
  readonly limit: number;
}

/**
 * Where approvals live (memory, or Redis shared by every gateway). Every record is kept for
 * `expiry` after creation (pending) and up to another `expiry` after that for the run to
 * collect a decision or learn of the expiry; then it is forgotten.
 */
export interface ApprovalStore {
  /** Stores a new pending approval and, with a run id, makes it the run's open approval. */
  create(record: ApprovalRecord, now: number): Promise<void>;
  /** By id, whatever its tenant (callers check it); undefined when unknown or forgotten. */
  get(id: string, now: number): Promise<ApprovalRecord | undefined>;
  /** The run's open approval (not yet released or refused), if any. */
  openFor(tenant: string, runId: string, now: number): Promise<ApprovalRecord | undefined>;
  /** Approves or rejects a pending, unexpired approval; exactly one decision wins. */
  decide(id: string, decision: Decision, reason: string | undefined, now: number): Promise<DecideOutcome>;
  /**
   * Marks a decided (or expired) approval collected: `released` when approved, `refused`
   * otherwise. Returns the record as it was for the one caller that closed it, else undefined.
   */
  close(id: string, now: number): Promise<ApprovalRecord | undefined>;
  /** Newest first. */
  list(filter: ListFilter, now: number): Promise<ApprovalRecord[]>;
}

/** The status a reader sees: a pending approval past its expiry is expired. */
export function statusOf(record: ApprovalRecord, now: number): ApprovalStatus {
  return record.status === 'pending' && now >= record.expiresAt ? 'expired' : record.status;
}

/** How long a record is kept: its pending time, then as long again for the run to collect it. */
export function retentionOf(record: ApprovalRecord): number {
  return record.expiresAt + (record.expiresAt - record.createdAt);
}
