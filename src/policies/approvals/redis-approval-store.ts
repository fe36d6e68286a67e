import type { Redis } from 'ioredis';
import { retentionOf, statusOf, type ApprovalRecord, type ApprovalStore, type DecideOutcome, type Decision, type ListFilter, type StoredStatus } from './approval-types.ts';

// Approvals in Redis, shared by every gateway. A record is a hash: `body` (the immutable
// part, JSON) and its mutable state (status, decidedAt, reason, closedAt, expiresAt), so the
// decision and the collection are small atomic scripts that never re-encode the body. Every
// key expires with the record's retention; a sorted set indexes ids by creation for the
// admin listing and is trimmed to `maxRecords`. All keys share one hash tag, so the scripts
// work on Redis Cluster too.

// KEYS[1] record; ARGV: now, status to set, reason. → {1} decided, {0} unknown or expired, {2} already decided.
const DECIDE = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
local now = tonumber(ARGV[1])
if status == 'pending' and now >= tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) then return 0 end
if status ~= 'pending' then return 2 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'decidedAt', ARGV[1])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'reason', ARGV[3]) end
return 1`;

// KEYS[1] record, KEYS[2] the run's open pointer ('' when none); ARGV: now, id. → the status before, or ''.
const CLOSE = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return '' end
local now = tonumber(ARGV[1])
if status == 'pending' then
  if now < tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) then return '' end
elseif status ~= 'approved' and status ~= 'rejected' then return '' end
redis.call('HSET', KEYS[1], 'status', status == 'approved' and 'released' or 'refused', 'closedAt', ARGV[1])
if KEYS[2] ~= '' and redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
return status`;

export class RedisApprovalStore implements ApprovalStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #maxRecords: number;

  constructor(redis: Redis, keyPrefix: string, maxRecords: number) {
    this.#redis = redis;
    this.#prefix = `${keyPrefix}approval:v1:{approvals}:`;
    this.#maxRecords = maxRecords;
  }

  async create(record: ApprovalRecord, now: number): Promise<void> {
    const { status, decidedAt, reason, closedAt, expiresAt, ...body } = record;
    const ttl = Math.max(1, retentionOf(record) - now);
    const index = this.#indexKey();
    const multi = this.#redis
      .multi()
      .hset(this.#recordKey(record.id), 'body', JSON.stringify(body), 'status', status, 'expiresAt', String(expiresAt))
      .pexpire(this.#recordKey(record.id), ttl)
      .zadd(index, record.createdAt, record.id)
      // Index entries of forgotten records, and the oldest past the bound, go.
      .zremrangebyscore(index, '-inf', String(now - 2 * (record.expiresAt - record.createdAt)))
      .zremrangebyrank(index, 0, -(this.#maxRecords + 1))
      .pexpire(index, ttl);
    if (record.runId !== undefined) multi.set(this.#runKey(record.tenant, record.runId), record.id, 'PX', ttl);
    await multi.exec();
  }

  async get(id: string, now: number): Promise<ApprovalRecord | undefined> {
    return this.#read(await this.#redis.hgetall(this.#recordKey(id)), now);
  }

  async openFor(tenant: string, runId: string, now: number): Promise<ApprovalRecord | undefined> {
    const id = await this.#redis.get(this.#runKey(tenant, runId));
    return id === null ? undefined : this.get(id, now);
  }

  async decide(id: string, decision: Decision, reason: string | undefined, now: number): Promise<DecideOutcome> {
    const status = decision === 'approve' ? 'approved' : 'rejected';
    const reply = Number(await this.#redis.eval(DECIDE, 1, this.#recordKey(id), now, status, reason ?? ''));
    const record = reply === 0 ? undefined : await this.get(id, now);
    if (record === undefined) return { ok: false, why: 'unknown' };
    return reply === 1 ? { ok: true, record } : { ok: false, why: 'decided', record };
  }

  async close(id: string, now: number): Promise<ApprovalRecord | undefined> {
    const before = await this.get(id, now);
    if (before === undefined) return undefined;
    const run = before.runId === undefined ? '' : this.#runKey(before.tenant, before.runId);
    const status = String(await this.#redis.eval(CLOSE, 2, this.#recordKey(id), run, now, id));
    return status === '' ? undefined : { ...before, status: status as StoredStatus };
  }

  async list(filter: ListFilter, now: number): Promise<ApprovalRecord[]> {
    const ids = await this.#redis.zrevrange(this.#indexKey(), 0, this.#maxRecords - 1);
    const out: ApprovalRecord[] = [];
    // In batches, stopping once the page is full: a filter that matches little reads more.
    for (let i = 0; i < ids.length && out.length < filter.limit; i += 200) {
      const pipeline = this.#redis.pipeline();
      for (const id of ids.slice(i, i + 200)) pipeline.hgetall(this.#recordKey(id));
      for (const [err, fields] of (await pipeline.exec()) ?? []) {
        if (err !== null) throw err;
        const record = this.#read(fields as Record<string, string>, now);
        if (record === undefined || out.length >= filter.limit) continue;
        if (filter.tenant !== undefined && record.tenant !== filter.tenant) continue;
        if (filter.status !== undefined && statusOf(record, now) !== filter.status) continue;
        out.push(record);
      }
    }
    return out;
  }

  #read(fields: Record<string, string>, now: number): ApprovalRecord | undefined {
    if (fields.body === undefined || fields.status === undefined) return undefined;
    const body = JSON.parse(fields.body) as Omit<ApprovalRecord, 'status' | 'expiresAt'>;
    const record: ApprovalRecord = {
      ...body,
      status: fields.status as StoredStatus,
      expiresAt: Number(fields.expiresAt),
      ...(fields.decidedAt === undefined ? {} : { decidedAt: Number(fields.decidedAt) }),
      ...(fields.reason === undefined ? {} : { reason: fields.reason }),
      ...(fields.closedAt === undefined ? {} : { closedAt: Number(fields.closedAt) }),
    };
    return retentionOf(record) <= now ? undefined : record;
  }

  #recordKey(id: string): string {
    return `${this.#prefix}${id}`;
  }

  #indexKey(): string {
    return `${this.#prefix}index`;
  }

  #runKey(tenant: string, runId: string): string {
    // "|" is in neither a tenant name nor a run id, so two pairs never share a key.
    return `${this.#prefix}run:${tenant}|${runId}`;
  }
}
