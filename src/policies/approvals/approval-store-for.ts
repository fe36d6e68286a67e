import type { Logger } from 'pino';
import type { SharedState } from '../../state/shared-state.ts';
import type { ApprovalStore } from './approval-types.ts';
import { MemoryApprovalStore } from './memory-approval-store.ts';
import { RedisApprovalStore } from './redis-approval-store.ts';

/**
 * The approval store for the configured state: memory, or Redis with the process-local
 * store as the stand-in the `onUnavailable` policy may fall back to.
 */
export function approvalStoreFor(state: SharedState, logger: Logger, maxRecords: number): ApprovalStore {
  let lastWarn = 0;
  const onEvictOpen = () => {
    if (Date.now() - lastWarn < 60_000) return;
    lastWarn = Date.now();
    logger.warn('approval memory is full: the oldest open approvals are forgotten (their calls are never released)');
  };
  const local = new MemoryApprovalStore({ maxRecords, onEvictOpen });
  if (state.redis === undefined) return local;
  const remote = new RedisApprovalStore(state.redis, state.keyPrefix, maxRecords);
  const what = 'approvals';
  return {
    create: (record, now) => state.guarded(() => remote.create(record, now), () => local.create(record, now), what),
    get: (id, now) => state.guarded(() => remote.get(id, now), () => local.get(id, now), what),
    openFor: (tenant, runId, now) => state.guarded(() => remote.openFor(tenant, runId, now), () => local.openFor(tenant, runId, now), what),
    decide: (id, decision, reason, now) => state.guarded(() => remote.decide(id, decision, reason, now), () => local.decide(id, decision, reason, now), what),
    close: (id, now) => state.guarded(() => remote.close(id, now), () => local.close(id, now), what),
    list: (filter, now) => state.guarded(() => remote.list(filter, now), () => local.list(filter, now), what),
  };
}
