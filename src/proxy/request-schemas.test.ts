import { describe, expect, it } from 'vitest';
import { chatRequestSchema, EMBEDDING_LIMITS, embeddingsRequestSchema } from './request-schemas.ts';

const issueOf = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) => result.error?.issues[0];

describe('embeddingsRequestSchema', () => {
  const embed = (input: unknown, extra: Record<string, unknown> = {}) => embeddingsRequestSchema.safeParse({ model: 'e', input, ...extra });

  it('accepts every documented input shape at its limits', () => {
    expect(embed('text').success).toBe(true);
    expect(embed(Array.from({ length: EMBEDDING_LIMITS.inputs }, () => 'x')).success).toBe(true);
    expect(embed(Array.from({ length: EMBEDDING_LIMITS.tokensPerInput }, (_, i) => i)).success).toBe(true);
    expect(embed([[1, 2], 'mixed', [3]]).success).toBe(true);
  });

  it('counts tokens over all inputs together', () => {
    const input = Array.from({ length: 40 }, () => Array.from({ length: 8000 }, () => 7)); // 320,000 tokens
    const issue = issueOf(embed(input));
    expect(issue?.path).toEqual(['input']);
    expect(issue?.message).toMatch(/300000 tokens/);
  });

  it('names the place and the limit of what it refuses', () => {
    expect(issueOf(embed(Array.from({ length: 2049 }, () => 'x')))?.message).toMatch(/at most 2048 inputs/);
    expect(issueOf(embed([[1], [2, -1]]))?.path).toEqual(['input', 1, 1]);
    expect(issueOf(embed([{ text: 'x' }]))?.path).toEqual(['input', 0]);
    expect(issueOf(embed(undefined))?.message).toBe('required');
  });
});

describe('chatRequestSchema', () => {
  it('validates without visiting fields it does not name', () => {
    const body: Record<string, unknown> = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
    Object.defineProperty(body, 'vendor_field', { enumerable: true, get: () => { throw new Error('visited'); } });
    expect(chatRequestSchema.safeParse(body).success).toBe(true);
  });

  it('accepts null for optional numeric parameters, as OpenAI does', () => {
    const nulls = { n: null, max_tokens: null, temperature: null, top_p: null, seed: null, logit_bias: null, top_logprobs: null };
    expect(chatRequestSchema.safeParse({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...nulls }).success).toBe(true);
  });
});
