import { GatewayError } from '../proxy/errors.ts';
import type { SharedState } from '../state/shared-state.ts';
import { MemoryBreakerStore, type BreakerCheck, type BreakerSettings, type BreakerStore } from './breaker.ts';
import { RedisBreakerStore } from './breaker-redis.ts';

// The breakers the fallback loop asks: in Redis when the state store is Redis (so every
// replica skips a dead target), in process memory otherwise. A breaker only steers
// traffic, so when Redis is unreachable the breakers fall back to this process's own
// state whatever `onUnavailable` says: refusing requests because the breaker store is
// away would turn a Redis outage into a full outage.

export class Breakers {
  readonly #state: SharedState;
  readonly #remote: BreakerStore | undefined;
  readonly #local = new MemoryBreakerStore();

  constructor(state: SharedState) {
    this.#state = state;
    this.#remote = state.redis === undefined ? undefined : new RedisBreakerStore(state.redis, state.keyPrefix);
  }

  check(key: string, settings: BreakerSettings): Promise<BreakerCheck> {
    return this.#run((store) => store.check(key, settings), 'breaker check');
  }

  /** Records an attempt's outcome; a success on a clean, closed breaker costs nothing (unless an error rate is watched). */
  async record(key: string, settings: BreakerSettings, check: BreakerCheck, ok: boolean): Promise<void> {
    if (ok && check.state === 'closed' && check.failures === 0 && settings.errorRate === undefined) return;
    await this.#run((store) => store.record(key, settings, ok, check.state === 'probe'), 'breaker record');
  }

  openKeys(keys: readonly string[]): Promise<string[]> {
    return this.#run((store) => store.openKeys(keys), 'breaker state');
  }

  async #run<T>(op: (store: BreakerStore) => Promise<T>, what: string): Promise<T> {
    const remote = this.#remote;
    if (remote === undefined) return op(this.#local);
    try {
      return await this.#state.guarded(() => op(remote), () => op(this.#local), what);
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'state_unavailable') return op(this.#local);
      throw err;
    }
  }
}
