import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_KEY, BUDGET_KEY, eventually, FREE_KEY, startBudgetHarness, type BudgetHarness } from './budget-harness.ts';

// Budgets and rate limits through the real server: reservation before the call, settlement
// after it, headers on every response, and the refusals.

let h: BudgetHarness;
beforeAll(async () => {
  h = await startBudgetHarness({
    adminKey: ADMIN_KEY,
    budgets: `
      - { window: minute, requests: 1000 }
      - { window: day, tokens: 5000 }
      - { window: month, usd: 1 }
      - { window: day, requests: 3, model: pricey }`,
    extra: `
policies: { budgets: { defaultMaxTokens: 500 } }
pricing:
  fake-model: { input: 1, output: 2 }
  fake-pricey: { input: 1000, output: 2000 }`,
  });
});
afterAll(() => h.close());
beforeEach(() => {
  h.fake.reset();
  h.fake.setDefault({ usage: { prompt_tokens: 10, completion_tokens: 5 } });
});

describe('reservation and settlement', () => {
  it('settles the actual usage and cost, and says so in the log line', async () => {
    const before = await h.usage();
    const response = await h.chat({ max_tokens: 100 });
    expect(response.status).toBe(200);
    const reqId = response.headers.get('x-request-id');
    await response.json();
    const after = await h.usage();
    expect(after['day.tokens']!.used - before['day.tokens']!.used).toBe(15);
    expect(after['day.tokens']!.reserved).toBe(0);
    expect(after['month.usd']!.used - before['month.usd']!.used).toBeCloseTo((10 * 1 + 5 * 2) / 1e6, 12);
    expect(after['minute.requests']!.used - before['minute.requests']!.used).toBe(1);
    // The per-model limit counts only its own model.
    expect(after['day.requests.pricey']!.used).toBe(before['day.requests.pricey']!.used);
    await eventually(() => {
      const line = h.logs.find((l) => l.reqId === reqId && typeof l.status === 'number');
      expect(line).toMatchObject({ costUsd: 20 / 1e6, priced: true, promptTokens: 10, completionTokens: 5 });
    });
  });

  it('caps the output upstream at what it reserved when the client sets no limit; a client limit is left alone', async () => {
    await (await h.chat({})).json();
    expect(h.fake.requests.at(-1)!.body.max_completion_tokens).toBe(500);
    await (await h.chat({ max_tokens: 42 })).json();
    expect(h.fake.requests.at(-1)!.body.max_completion_tokens).toBeUndefined();
    expect(h.fake.requests.at(-1)!.body.max_tokens).toBe(42);
  });

  it('puts x-ratelimit headers on JSON and stream responses', async () => {
    const json = await h.chat({ max_tokens: 10 });
    await json.json();
    expect(json.headers.get('x-ratelimit-limit-requests')).toBe('1000');
    expect(Number(json.headers.get('x-ratelimit-remaining-requests'))).toBeLessThan(1000);
    expect(json.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(ms|s)$/);
    expect(json.headers.get('x-ratelimit-limit-tokens')).toBe('5000');
    expect(json.headers.get('x-ratelimit-reset-tokens')).toMatch(/^(\d+h)?(\d+m)?\d+s$/);
    const stream = await h.chat({ max_tokens: 10, stream: true });
    await stream.text();
    expect(stream.headers.get('content-type')).toMatch(/event-stream/);
    expect(stream.headers.get('x-ratelimit-remaining-tokens')).toMatch(/^\d+$/);
  });

  it('settles an abandoned stream with what was generated, and releases the rest', async () => {
    h.fake.setDefault({ content: 'a b c d e f g h i j k l m n o p q r s t', chunks: 20, chunkDelayMs: 40 });
    const before = await h.usage();
    const response = await h.chat({ stream: true, max_tokens: 400 });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    await h.fake.waitForAbort();
    await eventually(async () => {
      const after = await h.usage();
      expect(after['day.tokens']!.reserved).toBe(0);
      const used = after['day.tokens']!.used - before['day.tokens']!.used;
      // Settled with an estimate of what was generated: far below the 400 + prompt reserved.
      expect(used).toBeGreaterThan(0);
      expect(used).toBeLessThan(100);
    });
  });

  for (const when of ['before the first event', 'as soon as the stream starts'] as const) {
    it(`a client that drops the socket ${when} still has its reservation settled`, async () => {
      h.fake.setDefault({ latencyMs: when === 'before the first event' ? 300 : 0, chunks: 30, chunkDelayMs: 50, usage: { prompt_tokens: 10, completion_tokens: 5 } });
      const before = await h.usage();
      await rawStreamThenDrop(when === 'as soon as the stream starts');
      await h.fake.waitForAbort();
      await eventually(async () => {
        const after = await h.usage();
        expect(after['day.tokens']!.reserved).toBe(0);
        expect(after['day.tokens']!.used - before['day.tokens']!.used).toBeLessThan(50);
      });
    });
  }

  it('settles a stream cut by the provider with what was generated', async () => {
    h.fake.setDefault({ chunks: 10, cutAfterChunks: 3 });
    const before = await h.usage();
    const response = await h.chat({ stream: true, max_tokens: 300 });
    const text = await response.text();
    expect(text).toContain('"error"');
    await eventually(async () => {
      const after = await h.usage();
      expect(after['day.tokens']!.reserved).toBe(0);
      expect(after['day.tokens']!.used - before['day.tokens']!.used).toBeGreaterThan(0);
    });
  });

  it('embeddings reserve their counted input and settle the reported usage', async () => {
    const before = await h.usage();
    const response = await fetch(`${h.gateway.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${BUDGET_KEY}` },
      body: JSON.stringify({ model: 'embed', input: ['one', 'two three'] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('5000');
    await response.json();
    expect(h.fake.requests.at(-1)!.body.max_completion_tokens).toBeUndefined();
    const after = await h.usage();
    expect(after['day.tokens']!.used - before['day.tokens']!.used).toBe(10);
    expect(after['day.tokens']!.reserved).toBe(0);
  });

  it('a provider that exceeds the output limit is charged in full, and it is logged', async () => {
    h.fake.setDefault({ usage: { prompt_tokens: 10, completion_tokens: 90 } });
    const before = await h.usage();
    expect((await h.chat({ max_tokens: 20 })).status).toBe(200);
    const after = await h.usage();
    expect(after['day.tokens']!.used - before['day.tokens']!.used).toBe(100);
    const warning = h.logs.findLast((l) => l.msg === 'usage beyond its reservation');
    expect(warning).toMatchObject({ tenant: 'team', measures: ['tokens', 'usd'] });
  });

  it('a failed call counts as a request but no tokens', async () => {
    h.fake.setDefault({ status: 500 });
    const before = await h.usage();
    const response = await h.chat({ max_tokens: 10 });
    expect(response.status).toBe(502);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('1000');
    const after = await h.usage();
    expect(after['day.tokens']!).toMatchObject({ used: before['day.tokens']!.used, reserved: 0 });
    expect(after['minute.requests']!.used).toBe(before['minute.requests']!.used + 1);
  });
});

describe('refusals', () => {
  it('a per-model request limit answers 429 budget_exceeded with Retry-After, without calling upstream', async () => {
    for (let i = 0; i < 3; i++) expect((await h.chat({ model: 'pricey', max_tokens: 1 })).status).toBe(200);
    const sent = h.fake.requests.length;
    const refused = await h.chat({ model: 'pricey', max_tokens: 1 });
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as { error: { code: string; type: string } };
    expect(body.error).toMatchObject({ code: 'budget_exceeded', type: 'insufficient_quota' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('3');
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(h.fake.requests.length).toBe(sent);
    // Other models are not held back by it.
    expect((await h.chat({ max_tokens: 1 })).status).toBe(200);
  });

  it('prices the reservation at the dearest target the request may go to', async () => {
    // ~2,000 prompt tokens: $0.002 at the first target's price, $2 at the second's; the tenant has $1 a month.
    const big = 'word '.repeat(2_000);
    const refused = await h.chat({ model: 'pricey', max_tokens: 1, messages: [{ role: 'user', content: big }] });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/month usd limit/);
    expect((await h.chat({ model: 'chat', max_tokens: 1, messages: [{ role: 'user', content: big }] })).status).toBe(200);
  });

  it('a huge max_tokens is refused outright and leaves nothing behind in the store', async () => {
    const before = await h.usage();
    const sent = h.fake.requests.length;
    const refused = await h.chat({ max_tokens: 1e9 });
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('budget_exceeded');
    expect(body.error.message).toMatch(/lower max_tokens/);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(h.fake.requests.length).toBe(sent);
    const after = await h.usage();
    expect(after).toEqual(before);
    expect((await h.chat({ max_tokens: 10 })).status).toBe(200);
  });

  it('negative or non-integer max_tokens is a 400, and nothing is stored', async () => {
    const before = await h.usage();
    for (const value of [-1, 1.5, '100']) {
      const response = await h.chat({ max_tokens: value });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { param: string } }).error.param).toBe('max_tokens');
    }
    expect(await h.usage()).toEqual(before);
  });

  it('a tenant without budgets is priced but never limited, and gets no rate-limit headers', async () => {
    const response = await h.chat({}, FREE_KEY);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
    expect(h.fake.requests.at(-1)!.body.max_completion_tokens).toBeUndefined();
    const report = (await (await h.get('/v1/usage', FREE_KEY)).json()) as { limits: unknown[] };
    expect(report.limits).toEqual([]);
  });
});

describe('usage endpoints', () => {
  it('GET /admin/usage needs the admin key, compared as a bearer token', async () => {
    expect((await h.get('/admin/usage?tenant=team', null)).status).toBe(401);
    expect((await h.get('/admin/usage?tenant=team', BUDGET_KEY)).status).toBe(401);
    expect((await h.get('/admin/usage?tenant=nobody', ADMIN_KEY)).status).toBe(404);
    expect((await h.get('/admin/usage', ADMIN_KEY)).status).toBe(400);
    const ok = await h.get('/admin/usage?tenant=team', ADMIN_KEY);
    expect(ok.status).toBe(200);
    const report = (await ok.json()) as { tenant: string; limits: Array<Record<string, unknown>> };
    expect(report.tenant).toBe('team');
    expect(report.limits).toHaveLength(4);
    const month = report.limits.find((l) => l.window === 'month')!;
    expect(month).toMatchObject({ measure: 'usd', model: null, limit: 1 });
    expect(Date.parse(String(month.resets_at))).toBe(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1));
  });

  it('GET /v1/usage needs a virtual key', async () => {
    expect((await h.get('/v1/usage', null)).status).toBe(401);
  });

  it('warned at startup about models without a price', () => {
    const warning = h.logs.find((l) => String(l.msg).startsWith('no price known'));
    expect(warning?.models).toEqual(['embed: fake/fake-embedding']);
  });
});

describe('admin endpoints without an admin key', () => {
  it('answer 404, also when the key is an unset variable', async () => {
    const off = await startBudgetHarness({ budgets: '[]', adminKey: '${TOLLGATE_ADMIN_KEY}' });
    try {
      const response = await off.get('/admin/usage?tenant=team', ADMIN_KEY);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
    } finally {
      await off.close();
    }
  });
});

/** A raw-socket streaming request; the socket is destroyed at the first response byte, or right after sending. */
function rawStreamThenDrop(waitForResponse: boolean): Promise<void> {
  const url = new URL(h.gateway.url);
  const body = JSON.stringify({ model: 'chat', stream: true, max_tokens: 300, messages: [{ role: 'user', content: 'hi' }] });
  return new Promise<void>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${BUDGET_KEY}\r\n` +
          `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        () => {
          if (waitForResponse) return;
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        },
      );
    });
    socket.once('data', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}
