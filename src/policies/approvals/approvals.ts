import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.ts';
import type { SharedState } from '../../state/shared-state.ts';
import { approvalStoreFor } from './approval-store-for.ts';
import { statusOf, type ApprovalRecord, type ApprovalStore, type DecideOutcome, type Decision, type HeldToolCall, type ListFilter } from './approval-types.ts';
import { toolMatcher, type ToolMatcher } from './tool-patterns.ts';
import { WebhookPoster } from './webhook-poster.ts';

// Human approval of tool calls: which calls need it, recording a proposal (and announcing
// it), a person's decision, and what a run collects on its next request. Every proposal,
// decision, release and refusal is one audit line (`audit: "approval"`) carrying a hash of
// the arguments, never the arguments unless `approvals.logArguments` is on.

export interface Proposal {
  readonly tenant: string;
  readonly runId: string | undefined;
  readonly requestId: string;
  readonly model: string;
  readonly calls: readonly HeldToolCall[];
  /** The arguments went over the budget while being collected (and were not kept). */
  readonly tooLarge?: boolean;
}

/** What a request finds when its run (or the approval id it sends back) has an approval. */
export type Collected =
  | { readonly kind: 'none' }
  | { readonly kind: 'pending'; readonly record: ApprovalRecord }
  | { readonly kind: 'released'; readonly record: ApprovalRecord }
  | { readonly kind: 'refused'; readonly record: ApprovalRecord; readonly why: 'rejected' | 'expired' };

export const APPROVAL_ID = /^apr_[0-9a-f]{32}$/;

export interface ApprovalsOptions {
  readonly config: Config;
  readonly state: SharedState;
  readonly logger: Logger;
  /** Fires when the gateway drains: webhook posts stop. */
  readonly stopSignal?: AbortSignal;
  /** Epoch ms; tests pass their own clock. */
  readonly now?: () => number;
  /** Replaces the configured store (tests). */
  readonly store?: ApprovalStore;
}

export class Approvals {
  readonly store: ApprovalStore;
  readonly webhook: WebhookPoster | undefined;
  readonly #matchers = new Map<string, ToolMatcher>();
  readonly #expiryMs: number;
  readonly #maxArgumentBytes: number;
  readonly #logArguments: boolean;
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(options: ApprovalsOptions) {
    const { approvals } = options.config;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => Date.now());
    this.#expiryMs = approvals.expiry;
    this.#maxArgumentBytes = approvals.maxArgumentBytes;
    this.#logArguments = approvals.logArguments;
    for (const [tenant, spec] of Object.entries(options.config.tenants)) {
      if (spec.tools?.approve?.length) this.#matchers.set(tenant, toolMatcher(spec.tools.approve));
    }
    this.store = options.store ?? approvalStoreFor(options.state, options.logger, approvals.maxPending);
    this.webhook =
      approvals.webhook === undefined
        ? undefined
        : new WebhookPoster({
            url: approvals.webhook,
            secret: approvals.secret,
            timeoutMs: approvals.webhookTimeout,
            retries: approvals.webhookRetries,
            maxQueued: approvals.webhookQueue,
            logger: options.logger,
            stopSignal: options.stopSignal,
          });
  }

  /** The tenant has an `approve` tier (otherwise requests skip this policy entirely). */
  governs(tenant: string): boolean {
    return this.#matchers.has(tenant);
  }

  needsApproval(tenant: string, tool: string): boolean {
    return this.#matchers.get(tenant)?.(tool) ?? false;
  }

  /** Arguments of a whole turn beyond this many bytes are not held (the turn is refused). */
  get maxArgumentBytes(): number {
    return this.#maxArgumentBytes;
  }

  /** Records a withheld turn as pending and announces it; undefined when its arguments are too large to hold. */
  async propose(proposal: Proposal): Promise<ApprovalRecord | undefined> {
    const now = this.#now();
    const argsHash = hashOf(proposal.calls);
    const bytes = proposal.calls.reduce((sum, c) => sum + Buffer.byteLength(c.arguments) + Buffer.byteLength(c.name), 0);
    if (proposal.tooLarge === true || bytes > this.#maxArgumentBytes) {
      this.#audit('refused', { tenant: proposal.tenant, runId: proposal.runId, reqId: proposal.requestId, tools: proposal.calls.map((c) => c.name), argsHash, why: 'arguments_too_large' });
      return undefined;
    }
    const record: ApprovalRecord = {
      id: `apr_${randomBytes(16).toString('hex')}`,
      tenant: proposal.tenant,
      runId: proposal.runId,
      requestId: proposal.requestId,
      model: proposal.model,
      calls: proposal.calls,
      argsHash,
      createdAt: now,
      expiresAt: now + this.#expiryMs,
      status: 'pending',
    };
    await this.store.create(record, now);
    this.#audit('proposed', this.#fields(record));
    this.webhook?.post({ type: 'approval.requested', approval: publicView(record, now) });
    return record;
  }

  async decide(id: string, decision: Decision, reason: string | undefined): Promise<DecideOutcome> {
    const outcome = await this.store.decide(id, decision, reason, this.#now());
    if (outcome.ok) this.#audit('decided', { ...this.#fields(outcome.record), decision, reason });
    return outcome;
  }

  get(id: string): Promise<ApprovalRecord | undefined> {
    return this.store.get(id, this.#now());
  }

  list(filter: ListFilter): Promise<ApprovalRecord[]> {
    return this.store.list(filter, this.#now());
  }

  /**
   * The approval this request resumes: the run's open one, or (a request without a run id)
   * the one whose id it sends back in `x-tollgate-approval`. Another tenant's id, an unknown
   * one and one already collected all read as none. A decided or expired approval is
   * collected here, exactly once.
   */
  async collect(tenant: string, runId: string | undefined, sentId: string | undefined, requestId: string): Promise<Collected> {
    const now = this.#now();
    let record = runId === undefined ? undefined : await this.store.openFor(tenant, runId, now);
    if (record === undefined && sentId !== undefined && APPROVAL_ID.test(sentId)) {
      const found = await this.store.get(sentId, now);
      if (found?.tenant === tenant) record = found;
    }
    if (record === undefined) return { kind: 'none' };
    const status = statusOf(record, now);
    if (status === 'pending') return { kind: 'pending', record };
    if (status !== 'approved' && status !== 'rejected' && status !== 'expired') return { kind: 'none' };
    const closed = await this.store.close(record.id, now);
    // Another request of the run collected it first: this one proceeds as if there were none.
    if (closed === undefined) return { kind: 'none' };
    const collected: Collected = status === 'approved' ? { kind: 'released', record: closed } : { kind: 'refused', record: closed, why: status };
    this.#audit(collected.kind, { ...this.#fields(closed), reqId: requestId, ...(collected.kind === 'refused' ? { why: collected.why } : {}) });
    return collected;
  }

  #fields(record: ApprovalRecord): Record<string, unknown> {
    return {
      approvalId: record.id,
      tenant: record.tenant,
      runId: record.runId,
      reqId: record.requestId,
      tools: record.calls.map((c) => c.name),
      argsHash: record.argsHash,
      ...(this.#logArguments ? { arguments: record.calls.map((c) => c.arguments) } : {}),
    };
  }

  #audit(event: 'proposed' | 'decided' | 'released' | 'refused', fields: Record<string, unknown>): void {
    this.#logger.info({ audit: 'approval', event, ...fields }, `approval ${event}`);
  }
}

/** What the admin API and the webhook show of an approval (arguments included: a person decides on them). */
export function publicView(record: ApprovalRecord, now: number) {
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    object: 'approval',
    id: record.id,
    tenant: record.tenant,
    run_id: record.runId ?? null,
    request_id: record.requestId,
    status: statusOf(record, now),
    model: record.model,
    tool_calls: record.calls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
    args_hash: record.argsHash,
    created_at: iso(record.createdAt),
    expires_at: iso(record.expiresAt),
    decided_at: iso(record.decidedAt),
    reason: record.reason ?? null,
    closed_at: iso(record.closedAt),
  };
}

function hashOf(calls: readonly HeldToolCall[]): string {
  const hash = createHash('sha256');
  for (const c of calls) hash.update(c.name).update('\u0000').update(c.arguments).update('\u0001');
  return hash.digest('hex').slice(0, 16);
}
