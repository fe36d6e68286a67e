import { describe, expect, it } from 'vitest';
import type { ResolvedTarget } from '../router/model-table.ts';
import { GatewayError } from '../proxy/errors.ts';
import { refusalError, rateLimitHeaders } from './budget-response.ts';
import type { LimitStatus } from './budget-ledger.ts';
import { PriceBook } from './pricing.ts';
import { countPromptTokens } from './token-count.ts';
import { actualAmounts, clientMaxTokens, safe, worstCase } from './worst-case.ts';

const prices = new PriceBook({ cheap: { input: 1, output: 2 }, dear: { input: 10, output: 40 } });
const target = (model: string) => ({ model, provider: {} as ResolvedTarget['provider'], contextWindow: undefined }) as ResolvedTarget;
const body = { messages: [{ role: 'user', content: 'hello there' }] };

describe('worst case of a request', () => {
  it('counts the prompt, adds the output cap times n, and prices it at the dearest target', () => {
    const input = countPromptTokens(body, 'cheap');
    const worst = worstCase(
      { endpoint: 'chat', body: { ...body, max_tokens: 100, n: 3 }, targets: [target('cheap'), target('dear')], defaultMaxTokens: 50, outputBounded: true },
      prices,
    );
    expect(worst.amounts).toEqual({
      requests: 1,
      tokens: input + 300,
      input_tokens: input,
      output_tokens: 300,
      usd: Math.ceil(((input * 10 + 300 * 40) / 1e6) * 1e9),
    });
    expect(worst.capOutput).toBeUndefined();
  });

  it('with no client limit, reserves the default and asks for the cap only when output is limited', () => {
    const args = { endpoint: 'chat' as const, body, targets: [target('cheap')], defaultMaxTokens: 64 };
    expect(worstCase({ ...args, outputBounded: true }, prices)).toMatchObject({ outputTokens: 64, capOutput: 64 });
    expect(worstCase({ ...args, outputBounded: false }, prices)).toMatchObject({ outputTokens: 64, capOutput: undefined });
  });

  it('embeddings have no output', () => {
    const worst = worstCase({ endpoint: 'embeddings', body: { input: [1, 2, 3] }, targets: [target('cheap')], defaultMaxTokens: 64, outputBounded: true }, prices);
    expect(worst.amounts).toMatchObject({ input_tokens: 3, output_tokens: 0, tokens: 3 });
  });

  it('takes the larger of max_tokens and max_completion_tokens, and refuses anything but a non-negative integer', () => {
    expect(clientMaxTokens({ max_tokens: 10, max_completion_tokens: 20 })).toBe(20);
    expect(clientMaxTokens({ max_tokens: null })).toBeUndefined();
    for (const bad of [-1, 2.5, '7', true, Number.NaN]) {
      expect(() => clientMaxTokens({ max_tokens: bad })).toThrow(GatewayError);
    }
    expect(clientMaxTokens({ max_tokens: 1e300 })).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('never yields a negative, fractional, NaN or unsafe amount', () => {
    expect([safe(-5), safe(Number.NaN), safe(2.1), safe(Infinity), safe(2 ** 80)]).toEqual([0, 0, 3, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
    expect(actualAmounts({ promptTokens: -3, completionTokens: Number.NaN, totalTokens: 0, source: 'upstream' }, -1)).toEqual({
      requests: 1, tokens: 0, input_tokens: 0, output_tokens: 0, usd: 0,
    });
  });
});

describe('what clients are told', () => {
  const status = (window: LimitStatus['spec']['window'], measure: LimitStatus['spec']['measure'], limit: number, used: number, resetAt?: number): LimitStatus => ({
    spec: { id: `${window}.${measure}.*`, window, measure, model: undefined, limit },
    used,
    reserved: 0,
    resetAt,
  });
  const now = Date.parse('2026-03-10T12:00:30Z');
  const minuteEnd = Date.parse('2026-03-10T12:01:00Z');
  const ask = { requests: 1, tokens: 10, input_tokens: 5, output_tokens: 5, usd: 0 };

  it('reports the tightest requests and tokens limits in OpenAI header names', () => {
    const headers = rateLimitHeaders(
      [status('minute', 'requests', 60, 10, minuteEnd), status('day', 'requests', 1000, 995, Date.parse('2026-03-11T00:00:00Z')), status('total', 'tokens', 500, 100)],
      now,
    );
    expect(headers).toEqual({
      'x-ratelimit-limit-requests': '1000',
      'x-ratelimit-remaining-requests': '5',
      'x-ratelimit-reset-requests': '11h59m30s',
      'x-ratelimit-limit-tokens': '500',
      'x-ratelimit-remaining-tokens': '400',
    });
  });

  it('minute/hour request and token limits are rate_limited; usd and longer windows are budget_exceeded', () => {
    const rate = refusalError([status('minute', 'requests', 60, 60, minuteEnd)], ask, now);
    expect([rate.code, rate.retryAfter]).toEqual(['rate_limited', '30']);
    const budget = refusalError([status('minute', 'usd', 5, 5, minuteEnd)], ask, now);
    expect(budget.code).toBe('budget_exceeded');
    expect(refusalError([status('total', 'tokens', 5, 5)], ask, now).retryAfter).toBeUndefined();
  });
});
