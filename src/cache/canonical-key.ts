import { createHash, type Hash } from 'node:crypto';

// Cache keys and idempotency body hashes: SHA-256 over a canonical JSON form (object keys
// sorted, no whitespace), written into the hash in one pass in 64 KB pieces, so a 4 MB
// body is never serialised whole a second time. Depth is already bounded by the parser's
// limits, so the recursion is too.

/** Request fields that do not change the answer: left out so they never split the cache. */
const NOT_IN_KEY = new Set(['model', 'user', 'metadata', 'stream', 'stream_options', 'store', 'safety_identifier', 'prompt_cache_key', 'service_tier']);

const FLUSH_CHARS = 64 * 1024;

class CanonicalWriter {
  #pending = '';
  readonly #hash: Hash;
  constructor(hash: Hash) {
    this.#hash = hash;
  }

  write(text: string): void {
    if (text.length >= FLUSH_CHARS) {
      // A long string goes to the hash as it is, never copied into the buffer.
      this.flush();
      this.#hash.update(text, 'utf8');
      return;
    }
    this.#pending += text;
    if (this.#pending.length >= FLUSH_CHARS) this.flush();
  }

  flush(): void {
    if (this.#pending.length > 0) this.#hash.update(this.#pending, 'utf8');
    this.#pending = '';
  }

  value(value: unknown): void {
    if (value === null || typeof value !== 'object') {
      // JSON.stringify of a primitive (numbers normalised: 1.0 and 1 are the same number).
      this.write(JSON.stringify(value) ?? 'null');
      return;
    }
    if (Array.isArray(value)) {
      this.write('[');
      for (let i = 0; i < value.length; i++) {
        if (i > 0) this.write(',');
        this.value(value[i]);
      }
      this.write(']');
      return;
    }
    this.object(value as Record<string, unknown>, undefined);
  }

  object(value: Record<string, unknown>, skip: ReadonlySet<string> | undefined): void {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined && !skip?.has(k)).sort();
    this.write('{');
    keys.forEach((key, i) => {
      if (i > 0) this.write(',');
      this.write(JSON.stringify(key));
      this.write(':');
      this.value(value[key]);
    });
    this.write('}');
  }
}

export interface KeyParts {
  /** The tenant, or the shared scope it opted into. */
  readonly scope: string;
  readonly endpoint: string;
  /** The resolved alias (after router side choice). */
  readonly alias: string;
  readonly body: Record<string, unknown>;
}

/** The cache key: scope, endpoint and alias, then the answer-changing request fields, canonicalised. */
export function cacheKeyOf(parts: KeyParts): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([parts.scope, parts.endpoint, parts.alias]));
  const writer = new CanonicalWriter(hash);
  writer.object(parts.body, NOT_IN_KEY);
  writer.flush();
  return hash.digest('base64url');
}

/** The hash an idempotency record keeps: the same fields (a retry may switch `stream`). */
export const bodyHashOf = cacheKeyOf;

/** Canonical JSON text of a value (tests and diagnostics; the key functions never build it whole). */
export function canonicalJson(value: unknown): string {
  let text = '';
  const sink = { update: (piece: string) => ((text += piece), sink) } as unknown as Hash;
  const writer = new CanonicalWriter(sink);
  writer.value(value);
  writer.flush();
  return text;
}
