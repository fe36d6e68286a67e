// Values computed from long texts (token counts, injection scores), remembered because
// agents resend the same conversation every step. Bounded by the characters of the keys it
// holds, least recently used out first; a text longer than `maxTextChars` is never kept.

export class TextLru<V> {
  readonly #entries = new Map<string, V>();
  readonly #maxChars: number;
  readonly #maxTextChars: number;
  #chars = 0;

  constructor(options: { maxChars: number; maxTextChars: number }) {
    this.#maxChars = options.maxChars;
    this.#maxTextChars = options.maxTextChars;
  }

  /** `space` keeps apart texts whose values differ (a tokenizer family, a channel). */
  get(space: string, text: string): V | undefined {
    if (text.length > this.#maxTextChars) return undefined;
    const key = `${space}\u0000${text}`;
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      // Most recently used goes last; eviction takes from the front.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
    }
    return hit;
  }

  /** Remembers `value` and returns it. */
  set(space: string, text: string, value: V): V {
    if (text.length > this.#maxTextChars) return value;
    const key = `${space}\u0000${text}`;
    if (!this.#entries.has(key)) this.#chars += key.length;
    this.#entries.set(key, value);
    for (const [old] of this.#entries) {
      if (this.#chars <= this.#maxChars) break;
      this.#entries.delete(old);
      this.#chars -= old.length;
    }
    return value;
  }

  get size(): number {
    return this.#entries.size;
  }
}
