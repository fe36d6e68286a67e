// The byte store under the response cache and the idempotency records: values are opaque
// buffers with a TTL. Memory (a least-recently-used map bounded by bytes, not entries) and
// Redis implement the same contract, tested by one suite.

export interface KvStore {
  get(key: string): Promise<Buffer | undefined>;
  set(key: string, value: Buffer, ttlMs: number): Promise<void>;
  /** Sets only when the key is absent (or expired); true when it was set. */
  setIfAbsent(key: string, value: Buffer, ttlMs: number): Promise<boolean>;
  /** Deletes the key only while it still holds exactly `value` (a marker this caller wrote). */
  deleteIfEquals(key: string, value: Buffer): Promise<void>;
}

interface MemoryEntry {
  readonly value: Buffer;
  readonly expiresAt: number;
  /** What the entry is charged against the bound: its value, its key, and a fixed overhead. */
  readonly bytes: number;
}

// A Map entry, its key string and the entry object cost about this much beyond the bytes.
const ENTRY_OVERHEAD = 96;

/**
 * In-process store bounded by bytes. A Map keeps insertion order, so re-inserting on every
 * read makes its first key the least recently used: eviction takes from the front.
 */
export class MemoryKvStore implements KvStore {
  readonly #entries = new Map<string, MemoryEntry>();
  readonly #maxBytes: number;
  readonly #now: () => number;
  #bytes = 0;

  constructor(maxBytes: number, now: () => number = Date.now) {
    this.#maxBytes = maxBytes;
    this.#now = now;
  }

  /** Bytes held now (values, keys and overhead). */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<Buffer | undefined> {
    const entry = this.#live(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: Buffer, ttlMs: number): Promise<void> {
    this.#remove(key);
    const bytes = value.byteLength + key.length * 2 + ENTRY_OVERHEAD;
    // A value larger than the whole store would evict everything and still not fit.
    if (bytes > this.#maxBytes) return;
    while (this.#bytes + bytes > this.#maxBytes) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#remove(oldest.value);
    }
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlMs, bytes });
    this.#bytes += bytes;
  }

  async setIfAbsent(key: string, value: Buffer, ttlMs: number): Promise<boolean> {
    if (this.#live(key) !== undefined) return false;
    await this.set(key, value, ttlMs);
    return this.#entries.has(key);
  }

  async deleteIfEquals(key: string, value: Buffer): Promise<void> {
    const entry = this.#live(key);
    if (entry !== undefined && entry.value.equals(value)) this.#remove(key);
  }

  #live(key: string): MemoryEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#remove(key);
      return undefined;
    }
    return entry;
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
