import type { SharedState } from '../../state/shared-state.ts';
import type { ChatMessage } from './request.ts';

// Stored responses (`store`, `previous_response_id`, GET/DELETE /v1/responses/{id}), kept in
// the shared state (memory or Redis) with a TTL. Every key carries the tenant's name, so
// another tenant's id is simply not found: its content can never be read, listed or deleted.
// An entry holds the conversation up to and including its answer, so the next turn needs one
// read, whatever the length of the chain.

type Json = Record<string, unknown>;

export interface StoredResponse {
  /** The Response object as it was returned. */
  readonly response: Json;
  /** This request's input items, with ids (GET .../input_items). */
  readonly inputItems: Json[];
  /** The whole conversation as chat messages, this response's output included (instructions excluded: they are not carried over). */
  readonly messages: ChatMessage[];
}

export interface ResponseStore {
  get(tenant: string, id: string): Promise<StoredResponse | undefined>;
  put(tenant: string, id: string, entry: StoredResponse): Promise<void>;
  /** True when there was something to delete. */
  delete(tenant: string, id: string): Promise<boolean>;
}

export interface ResponseStoreOptions {
  readonly ttlMs: number;
  /** Entries the memory store keeps (the oldest go first); Redis is bounded by its TTL alone. */
  readonly maxMemoryEntries: number;
}

export function responseStoreFor(state: SharedState, options: ResponseStoreOptions): ResponseStore {
  const local = new MemoryResponseStore(options);
  const redis = state.redis;
  if (redis === undefined) return local;
  const key = (tenant: string, id: string) => `${state.keyPrefix}responses:${tenant.length}:${tenant}:${id}`;
  return {
    get: (tenant, id) =>
      state.guarded(
        async () => {
          const text = await redis.get(key(tenant, id));
          return text === null ? undefined : (JSON.parse(text) as StoredResponse);
        },
        () => local.get(tenant, id),
        'stored responses',
      ),
    put: (tenant, id, entry) =>
      state.guarded(
        async () => void (await redis.set(key(tenant, id), JSON.stringify(entry), 'PX', options.ttlMs)),
        () => local.put(tenant, id, entry),
        'stored responses',
      ),
    delete: (tenant, id) =>
      state.guarded(
        async () => (await redis.del(key(tenant, id))) > 0,
        () => local.delete(tenant, id),
        'stored responses',
      ),
  };
}

export class MemoryResponseStore implements ResponseStore {
  readonly #entries = new Map<string, { entry: StoredResponse; expiresAt: number }>();
  readonly #options: ResponseStoreOptions;

  constructor(options: ResponseStoreOptions) {
    this.#options = options;
  }

  async get(tenant: string, id: string): Promise<StoredResponse | undefined> {
    const k = memoryKey(tenant, id);
    const found = this.#entries.get(k);
    if (found === undefined) return undefined;
    if (found.expiresAt <= Date.now()) {
      this.#entries.delete(k);
      return undefined;
    }
    return found.entry;
  }

  async put(tenant: string, id: string, entry: StoredResponse): Promise<void> {
    const k = memoryKey(tenant, id);
    this.#entries.delete(k);
    this.#entries.set(k, { entry, expiresAt: Date.now() + this.#options.ttlMs });
    // Insertion order is age order: drop the oldest past the bound.
    while (this.#entries.size > this.#options.maxMemoryEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    return this.#entries.delete(memoryKey(tenant, id));
  }
}

function memoryKey(tenant: string, id: string): string {
  return `${tenant}\n${id}`;
}
