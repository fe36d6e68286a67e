import type { Logger } from 'pino';
import type { SharedState } from '../../state/shared-state.ts';
import { MemoryRunStore } from './memory-run-store.ts';
import { RedisRunStore } from './redis-run-store.ts';
import type { RunStore } from './run-types.ts';

/**
 * The run store for the configured state: memory, or Redis with the process-local store as
 * the stand-in the `onUnavailable` policy may fall back to.
 */
export function runStoreFor(state: SharedState, logger: Logger, maxRuns?: number): RunStore {
  let lastWarn = 0;
  const onEvictActive = () => {
    // A flood of run ids can force this often: say it once a minute, not per run.
    if (Date.now() - lastWarn < 60_000) return;
    lastWarn = Date.now();
    logger.warn('run guard memory is full: the least recently active runs are forgotten before their idle timeout');
  };
  const local = new MemoryRunStore({ maxRuns, onEvictActive });
  if (state.redis === undefined) return local;
  const remote = new RedisRunStore(state.redis, state.keyPrefix);
  return {
    admit: (key, limits, fingerprint, now) =>
      state.guarded(() => remote.admit(key, limits, fingerprint, now), () => local.admit(key, limits, fingerprint, now), 'run guard'),
    record: (key, limits, step, now) =>
      state.guarded(() => remote.record(key, limits, step, now), () => local.record(key, limits, step, now), 'run guard'),
  };
}
