import { longestFamily } from './model-names.ts';

// What a call costs, in USD. Prices are list prices per million tokens, looked up by the
// provider's model name: the longest built-in or configured name that the model equals or
// starts with followed by "-" (so dated snapshots like `gpt-4o-2024-08-06` or
// `claude-sonnet-4-5-20250929` find their family, and `gpt-4o-mini` never takes `gpt-4o`'s).
// Config entries override built-in ones. A model with no price is reported as unpriced
// (cost 0, flagged), never silently given someone else's price.

export interface ModelPrice {
  /** USD per million input (prompt) tokens. */
  readonly input: number;
  /** USD per million output (completion) tokens. */
  readonly output: number;
  /** USD per million cached input tokens; the input price when not set. */
  readonly cachedInput?: number;
}

export interface PricedUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Prompt tokens served from the provider's prompt cache (part of promptTokens). */
  readonly cachedTokens?: number;
}

export interface Cost {
  readonly usd: number;
  /** False when no price is known for the model: `usd` is 0 and must not be trusted. */
  readonly priced: boolean;
}

// List prices (USD per million tokens) of common OpenAI and Anthropic models, December 2026.
export const BUILT_IN_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-5.2': { input: 1.75, output: 14, cachedInput: 0.175 },
  'gpt-5.1': { input: 1.25, output: 10, cachedInput: 0.125 },
  'gpt-5': { input: 1.25, output: 10, cachedInput: 0.125 },
  'gpt-5-pro': { input: 15, output: 120 },
  'gpt-5-mini': { input: 0.25, output: 2, cachedInput: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cachedInput: 0.005 },
  'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-4': { input: 30, output: 60 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  o1: { input: 15, output: 60, cachedInput: 7.5 },
  'o1-pro': { input: 150, output: 600 },
  'o1-mini': { input: 1.1, output: 4.4, cachedInput: 0.55 },
  o3: { input: 2, output: 8, cachedInput: 0.5 },
  'o3-pro': { input: 20, output: 80 },
  'o3-mini': { input: 1.1, output: 4.4, cachedInput: 0.55 },
  'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
  'claude-opus-4-5': { input: 5, output: 25, cachedInput: 0.5 },
  'claude-opus-4-1': { input: 15, output: 75, cachedInput: 1.5 },
  'claude-opus-4': { input: 15, output: 75, cachedInput: 1.5 },
  'claude-sonnet-4-5': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-sonnet-4': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-haiku-4-5': { input: 1, output: 5, cachedInput: 0.1 },
  'claude-3-7-sonnet': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-3-5-sonnet': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cachedInput: 0.08 },
  // The built-in mock provider's models are free.
  mock: { input: 0, output: 0 },
};

export class PriceBook {
  readonly #prices: ReadonlyMap<string, ModelPrice>;
  readonly #resolved = new Map<string, ModelPrice | null>();

  constructor(overrides: Readonly<Record<string, ModelPrice>> = {}) {
    const merged = new Map<string, ModelPrice>();
    for (const [name, price] of Object.entries(BUILT_IN_PRICES)) merged.set(name.toLowerCase(), price);
    for (const [name, price] of Object.entries(overrides)) merged.set(name.toLowerCase(), price);
    this.#prices = merged;
  }

  /** The price of a provider model, or undefined when none is known. */
  priceOf(model: string): ModelPrice | undefined {
    let hit = this.#resolved.get(model);
    if (hit === undefined) {
      hit = this.#lookup(model.toLowerCase()) ?? null;
      // Model names come from config, so this map stays as small as the config.
      if (this.#resolved.size < 10_000) this.#resolved.set(model, hit);
    }
    return hit ?? undefined;
  }

  cost(model: string, usage: PricedUsage): Cost {
    const price = this.priceOf(model);
    if (price === undefined) return { usd: 0, priced: false };
    const cached = Math.min(usage.cachedTokens ?? 0, usage.promptTokens);
    const usd =
      ((usage.promptTokens - cached) * price.input +
        cached * (price.cachedInput ?? price.input) +
        usage.completionTokens * price.output) /
      1_000_000;
    return { usd, priced: true };
  }

  #lookup(model: string): ModelPrice | undefined {
    const best = longestFamily(this.#prices.keys(), model);
    return best === undefined ? undefined : this.#prices.get(best);
  }
}
