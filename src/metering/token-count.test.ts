import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { countEmbeddingTokens, countPromptTokens, countTextTokens, familyOf, TokenCounter } from './token-count.ts';

describe('token counting', () => {
  it('counts text exactly with the model family encoding', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(40);
    expect(countTextTokens(text, 'gpt-4o')).toBe(countTokens(text));
  });

  it('adds OpenAI message overheads (3 per message, 1 per name, 3 to prime the reply)', () => {
    const body = { messages: [{ role: 'user', content: 'hello' }, { role: 'assistant', name: 'bot', content: 'hi' }] };
    const expected = 3 + countTokens('user') + countTokens('hello') + 3 + countTokens('assistant') + 1 + countTokens('bot') + countTokens('hi') + 3;
    expect(countPromptTokens(body, 'gpt-4o-mini')).toBe(expected);
  });

  it('counts tool definitions, tool calls, content parts and images', () => {
    const plain = countPromptTokens({ messages: [{ role: 'user', content: 'x' }] }, 'gpt-4o');
    const withTools = countPromptTokens(
      {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url: 'data:...' } }] },
          { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'search', arguments: '{"q":"cats"}' } }] },
        ],
        tools: [{ type: 'function', function: { name: 'search', parameters: { type: 'object' } } }],
      },
      'gpt-4o',
    );
    expect(withTools).toBeGreaterThan(plain + 765);
  });

  it('special-token text is counted as text, not refused', () => {
    expect(countTextTokens('say <|endoftext|> now', 'gpt-4o')).toBeGreaterThan(3);
  });

  it('a huge run of one letter is counted in bounded time, never under its real count', () => {
    const tokens = countTextTokens('a'.repeat(2_000_000), 'gpt-4o');
    // Exact on the first 256 KB (1 token per 8 letters), extrapolated past it at no less than
    // 0.2 tokens a character, so a budget reservation errs high, not low.
    expect(tokens).toBeGreaterThanOrEqual(250_000);
    expect(tokens).toBeLessThan(400_000);
  });

  it('extrapolates past the exact budget at the measured rate', () => {
    const counter = new TokenCounter('gpt-4o');
    const word = 'lorem ipsum dolor sit amet ';
    const exact = counter.text(word.repeat(20_000)); // > 256 KB: part exact, part extrapolated
    expect(exact / countTokens(word.repeat(1000))).toBeGreaterThan(19);
    expect(exact / countTokens(word.repeat(1000))).toBeLessThan(21);
  });

  it('knows families, and scales Claude above OpenAI', () => {
    expect(familyOf('gpt-4-0613')).toBe(familyOf('gpt-3.5-turbo'));
    expect(familyOf('gpt-4o')).not.toBe(familyOf('gpt-4'));
    expect(countTextTokens('hello world, how are you?', 'claude-sonnet-4-5')).toBeGreaterThan(countTextTokens('hello world, how are you?', 'gpt-4'));
  });

  it('counts embeddings input: strings, string arrays and token arrays', () => {
    expect(countEmbeddingTokens([1, 2, 3], 'text-embedding-3-small')).toBe(3);
    expect(countEmbeddingTokens([[1, 2], [3]], 'text-embedding-3-small')).toBe(3);
    expect(countEmbeddingTokens(['hello', 'world'], 'text-embedding-3-small')).toBe(2);
  });

  it('a repeated long message costs the same count from the cache', () => {
    const long = 'An agent keeps resending this long system prompt at every step. '.repeat(50);
    const first = countTextTokens(long, 'gpt-4o');
    expect(countTextTokens(long, 'gpt-4o')).toBe(first);
  });
});
