import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeAnswer, encodeAnswer, type CachedAnswer } from './cached-answer.ts';
import type { KvStore } from './kv-store.ts';

// One record per tenant and Idempotency-Key: first an in-flight marker (set only if absent,
// so exactly one request across every replica sharing the store claims the key), then the
// answer for the rest of the window. A failed first attempt deletes its own marker, so the
// key is free for the retry; a process that dies holding one frees it when it expires.

/** How long an in-flight marker outlives a process that died holding it. */
export const IN_FLIGHT_TTL_MS = 5 * 60_000;
const POLL_MS = 50;
const HASH_CHARS = 43; // a base64url SHA-256

export type Claim =
  | { readonly kind: 'claimed'; complete(answer: CachedAnswer): Promise<void>; release(): Promise<void> }
  | { readonly kind: 'replay'; readonly answer: CachedAnswer }
  /** The key was used with another body. */
  | { readonly kind: 'conflict' }
  /** The first request is still running after the wait. */
  | { readonly kind: 'in-progress' };

export interface IdempotencyOptions {
  readonly windowMs: number;
  readonly waitMs: number;
}

export class IdempotencyRecords {
  readonly #kv: KvStore;
  readonly #options: IdempotencyOptions;

  constructor(kv: KvStore, options: IdempotencyOptions) {
    this.#kv = kv;
    this.#options = options;
  }

  async claim(tenant: string, idempotencyKey: string, bodyHash: string, signal: AbortSignal): Promise<Claim> {
    const key = `idem:${createHash('sha256').update(tenant).update('\0').update(idempotencyKey).digest('base64url')}`;
    const deadline = performance.now() + this.#options.waitMs;
    for (;;) {
      const marker = Buffer.from(`P${bodyHash}${randomBytes(8).toString('hex')}`, 'latin1');
      if (await this.#kv.setIfAbsent(key, marker, IN_FLIGHT_TTL_MS)) return this.#claimed(key, bodyHash, marker);
      const record = await this.#kv.get(key);
      if (record === undefined) continue; // expired or freed in between: try again
      if (record.subarray(1, 1 + HASH_CHARS).toString('latin1') !== bodyHash) return { kind: 'conflict' };
      if (record[0] === 0x44 /* D */) {
        const answer = await decodeAnswer(record.subarray(1 + HASH_CHARS));
        if (answer !== undefined) return { kind: 'replay', answer };
        // An unreadable record (another version's format) answers nothing: take the key over.
        await this.#kv.set(key, marker, IN_FLIGHT_TTL_MS);
        return this.#claimed(key, bodyHash, marker);
      }
      if (performance.now() >= deadline || signal.aborted) return { kind: 'in-progress' };
      await sleep(POLL_MS, undefined, { signal }).catch(() => {});
    }
  }

  #claimed(key: string, bodyHash: string, marker: Buffer): Claim {
    return {
      kind: 'claimed',
      complete: async (answer) => {
        const encoded = await encodeAnswer(answer);
        await this.#kv.set(key, Buffer.concat([Buffer.from(`D${bodyHash}`, 'latin1'), encoded]), this.#options.windowMs);
      },
      release: () => this.#kv.deleteIfEquals(key, marker),
    };
  }
}
