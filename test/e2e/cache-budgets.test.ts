import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBudgetHarness, type BudgetHarness } from './budget-harness.ts';

// A hit costs no upstream tokens but still counts as a request for request-rate limits.

let h: BudgetHarness;
beforeAll(async () => {
  h = await startBudgetHarness({
    budgets: '[{ window: minute, requests: 3 }, { window: day, tokens: 100000 }]',
    extra: 'cache: { kind: memory }',
  });
  h.fake.setDefault({ usage: { prompt_tokens: 10, completion_tokens: 5 } });
});
afterAll(() => h.close());

describe('cache hits and budgets', () => {
  it('count a request and no tokens; the request limit still refuses', async () => {
    const body = { model: 'chat', temperature: 0, messages: [{ role: 'user', content: 'count me' }] };
    const miss = await h.chat(body);
    expect(miss.headers.get('x-tollgate-cache')).toBe('miss');
    const hit = await h.chat(body);
    expect(hit.headers.get('x-tollgate-cache')).toBe('hit');
    const usage = await h.usage();
    expect(usage['minute.requests']!.used).toBe(2);
    expect(usage['day.tokens']!.used).toBe(15);

    expect((await h.chat(body)).status).toBe(200);
    const refused = await h.chat(body);
    expect(refused.status).toBe(429);
    expect(h.fake.requests.length).toBe(1);
  });
});
