import type { SharedState } from '../state/shared-state.ts';
import type { KvStore } from './kv-store.ts';

/** A Redis store behind the shared state's policy when Redis is away: 503 (deny), or the local store (allow). */
export class GuardedKvStore implements KvStore {
  readonly state: SharedState;
  readonly remote: KvStore;
  readonly local: KvStore;
  readonly what: string;

  constructor(state: SharedState, remote: KvStore, local: KvStore, what: string) {
    this.state = state;
    this.remote = remote;
    this.local = local;
    this.what = what;
  }

  get(key: string) {
    return this.state.guarded(() => this.remote.get(key), () => this.local.get(key), this.what);
  }
  set(key: string, value: Buffer, ttlMs: number) {
    return this.state.guarded(() => this.remote.set(key, value, ttlMs), () => this.local.set(key, value, ttlMs), this.what);
  }
  setIfAbsent(key: string, value: Buffer, ttlMs: number) {
    return this.state.guarded(() => this.remote.setIfAbsent(key, value, ttlMs), () => this.local.setIfAbsent(key, value, ttlMs), this.what);
  }
  deleteIfEquals(key: string, value: Buffer) {
    return this.state.guarded(() => this.remote.deleteIfEquals(key, value), () => this.local.deleteIfEquals(key, value), this.what);
  }
}
