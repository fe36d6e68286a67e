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
  /** Bytes (as JSON) the memory store keeps, all entries together (the oldest go first). */
  readonly maxMemoryBytes: number;
}

/**
 * A conversation larger than this is not stored (continuing it answers 404): each entry
 * holds its whole conversation, so a runaway one must not fill the store.
 */
export const MAX_ENTRY_BYTES = 16 * 1024 * 1024;

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
        async () => {
          const text = JSON.stringify(entry);
          if (text.length <= MAX_ENTRY_BYTES) await redis.set(key(tenant, id), text, 'PX', options.ttlMs);
        },
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
  readonly #entries = new Map<string, { entry: StoredResponse; expiresAt: number; bytes: number }>();
  readonly #options: ResponseStoreOptions;
  #bytes = 0;

  constructor(options: ResponseStoreOptions) {
    this.#options = options;
  }

  async get(tenant: string, id: string): Promise<StoredResponse | undefined> {
    const k = memoryKey(tenant, id);
    const found = this.#entries.get(k);
    if (found === undefined) return undefined;
    if (found.expiresAt <= Date.now()) {
      this.#remove(k);
      return undefined;
    }
    return found.entry;
  }

  async put(tenant: string, id: string, entry: StoredResponse): Promise<void> {
    const k = memoryKey(tenant, id);
    this.#remove(k);
    const bytes = JSON.stringify(entry).length;
    if (bytes > MAX_ENTRY_BYTES || bytes > this.#options.maxMemoryBytes) return;
    this.#entries.set(k, { entry, expiresAt: Date.now() + this.#options.ttlMs, bytes });
    this.#bytes += bytes;
    // Insertion order is age order: drop the oldest past either bound.
    while (this.#entries.size > this.#options.maxMemoryEntries || this.#bytes > this.#options.maxMemoryBytes) {
      this.#remove(this.#entries.keys().next().value!);
    }
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    return this.#remove(memoryKey(tenant, id));
  }

  #remove(k: string): boolean {
    const found = this.#entries.get(k);
    if (found === undefined) return false;
    this.#bytes -= found.bytes;
    return this.#entries.delete(k);
  }
}

function memoryKey(tenant: string, id: string): string {
  return `${tenant}\n${id}`;
}
