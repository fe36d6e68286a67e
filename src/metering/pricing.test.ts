import { describe, expect, it } from 'vitest';
import { PriceBook } from './pricing.ts';

describe('PriceBook', () => {
  const book = new PriceBook({ 'my-finetune': { input: 3, output: 12, cachedInput: 1.5 }, 'gpt-4o': { input: 2, output: 8 } });

  it('finds dated snapshots by their family, and never a shorter family for a longer name', () => {
    expect(book.priceOf('gpt-4o-mini-2024-07-18')).toMatchObject({ input: 0.15, output: 0.6 });
    expect(book.priceOf('claude-sonnet-4-5-20250929')).toMatchObject({ input: 3, output: 15 });
    expect(book.priceOf('o3-pro')).toMatchObject({ input: 20 });
    expect(book.priceOf('gpt-4.1-nano')).toMatchObject({ input: 0.1 });
  });

  it('config overrides built-in prices and adds new models', () => {
    expect(book.priceOf('gpt-4o')).toMatchObject({ input: 2, output: 8 });
    expect(book.priceOf('my-finetune')).toMatchObject({ input: 3 });
  });

  it('does not match a name that merely shares a prefix', () => {
    expect(book.priceOf('gpt-4ox')).toBeUndefined();
    expect(book.priceOf('llama-3.1-70b')).toBeUndefined();
  });

  it('prices input, cached input and output separately', () => {
    const cost = book.cost('my-finetune', { promptTokens: 1_000_000, completionTokens: 500_000, cachedTokens: 400_000 });
    expect(cost.priced).toBe(true);
    expect(cost.usd).toBeCloseTo(0.6 * 3 + 0.4 * 1.5 + 0.5 * 12, 9);
  });

  it('an unpriced model costs 0 and says so', () => {
    expect(book.cost('qwen2.5-72b', { promptTokens: 10, completionTokens: 10 })).toEqual({ usd: 0, priced: false });
    expect(book.cost('mock-chat-1', { promptTokens: 10, completionTokens: 10 })).toEqual({ usd: 0, priced: true });
  });
});
