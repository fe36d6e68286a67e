import type { IncomingMessage } from 'node:http';
import { AdminKey } from '../../proxy/admin-key.ts';
import { GatewayError } from '../../proxy/errors.ts';
import { readBody } from '../../proxy/read-body.ts';
import { APPROVAL_STATUSES, type ApprovalStatus } from './approval-types.ts';
import { APPROVAL_ID, publicView, type Approvals } from './approvals.ts';

// GET /admin/approvals?tenant=&status=&limit= and POST /admin/approvals/{id} with
// `{"decision": "approve" | "reject", "reason"?}`, both behind the admin key. An unknown,
// forgotten or expired id is 404; a second decision is 409 naming the first.

const MAX_DECISION_BYTES = 16 * 1024;
const MAX_REASON_CHARS = 1000;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

export interface ApprovalList {
  object: 'list';
  data: ReturnType<typeof publicView>[];
}

export class ApprovalsRoute {
  readonly #approvals: Approvals;
  readonly #adminKey: AdminKey;
  readonly #tenantNames: ReadonlySet<string>;
  readonly #now: () => number;

  constructor(approvals: Approvals, adminKey: string | undefined, tenantNames: Iterable<string>, now: () => number = () => Date.now()) {
    this.#approvals = approvals;
    this.#adminKey = new AdminKey(adminKey);
    this.#tenantNames = new Set(tenantNames);
    this.#now = now;
  }

  async list(incoming: IncomingMessage, path: string, query: { tenant?: string; status?: string; limit?: string }): Promise<ApprovalList> {
    this.#adminKey.check(incoming.headers, 'GET', path);
    const { tenant, status, limit } = query;
    if (tenant !== undefined && !this.#tenantNames.has(tenant)) throw new GatewayError('not_found', `No tenant named '${tenant.slice(0, 100)}'.`, { param: 'tenant' });
    if (status !== undefined && !APPROVAL_STATUSES.includes(status as ApprovalStatus)) {
      throw new GatewayError('invalid_request', `Invalid 'status': expected one of ${APPROVAL_STATUSES.join(', ')}.`, { param: 'status' });
    }
    const count = limit === undefined ? DEFAULT_LIMIT : Number(limit);
    if (!Number.isInteger(count) || count < 1 || count > MAX_LIMIT) {
      throw new GatewayError('invalid_request', `Invalid 'limit': expected an integer from 1 to ${MAX_LIMIT}.`, { param: 'limit' });
    }
    const records = await this.#approvals.list({ tenant, status: status as ApprovalStatus | undefined, limit: count });
    const now = this.#now();
    return { object: 'list', data: records.map((r) => publicView(r, now)) };
  }

  async decide(incoming: IncomingMessage, path: string, id: string): Promise<ReturnType<typeof publicView>> {
    this.#adminKey.check(incoming.headers, 'POST', path);
    const { decision, reason } = parseDecision(await readBody(incoming, MAX_DECISION_BYTES));
    const unknown = () => new GatewayError('not_found', `No pending approval '${id.slice(0, 100)}' (unknown, expired or forgotten).`);
    if (!APPROVAL_ID.test(id)) throw unknown();
    const outcome = await this.#approvals.decide(id, decision, reason);
    if (!outcome.ok && outcome.why === 'unknown') throw unknown();
    if (!outcome.ok) {
      const status = outcome.record.status === 'rejected' || outcome.record.status === 'refused' ? 'rejected' : 'approved';
      throw new GatewayError('approval_already_decided', `Approval '${id}' was already ${status}.`);
    }
    return publicView(outcome.record, this.#now());
  }
}

function parseDecision(bytes: Buffer): { decision: 'approve' | 'reject'; reason: string | undefined } {
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new GatewayError('invalid_json', 'The request body is not valid JSON.');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new GatewayError('invalid_request', 'Expected a JSON object with "decision".');
  const { decision, reason, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new GatewayError('invalid_request', `Unrecognized parameter: '${extra.slice(0, 100)}'.`, { param: extra.slice(0, 100) });
  if (decision !== 'approve' && decision !== 'reject') {
    throw new GatewayError('invalid_request', `Invalid 'decision': expected "approve" or "reject".`, { param: 'decision' });
  }
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON_CHARS)) {
    throw new GatewayError('invalid_request', `Invalid 'reason': expected a string of at most ${MAX_REASON_CHARS} characters.`, { param: 'reason' });
  }
  return { decision, reason };
}
