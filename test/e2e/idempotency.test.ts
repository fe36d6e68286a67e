import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, sseData, TEAM_KEY, type Harness } from './harness.ts';
import { startCacheHarness, TEAM_C_KEY, uniqueChat, upstreamCalls } from './cache-harness.ts';

// Idempotency-Key through the real server (on by default; here alongside the cache, so
// requests use temperature 1 to show it does not depend on the cache's rules).

let h: Harness;
beforeAll(async () => {
  h = await startCacheHarness({ topLevel: 'idempotency: { window: 24h, wait: 1s }' });
});
afterAll(() => h.close());

const keyed = (key: string, extra: Record<string, string> = {}) => ({ 'idempotency-key': key, ...extra });
const fresh = () => `key-${Math.random().toString(36).slice(2)}`;

describe('Idempotency-Key', () => {
  it('answers a retry with the original answer, at any temperature, without calling upstream again', async () => {
    const key = fresh();
    const body = uniqueChat({ temperature: 1 });
    const before = upstreamCalls(h);
    const first = await h.post('/v1/chat/completions', body, { headers: keyed(key) });
    const retry = await h.post('/v1/chat/completions', body, { headers: keyed(key) });
    expect(retry.headers.get('x-tollgate-idempotent-replay')).toBe('true');
    expect(await retry.text()).toBe(await first.text());
    expect(upstreamCalls(h) - before).toBe(1);

    // Asked as a stream, the retry is replayed as one.
    const streamed = await h.post('/v1/chat/completions', { ...body, stream: true }, { headers: keyed(key) });
    const events = await sseData(streamed);
    expect(events.at(-1)).toBe('[DONE]');
    expect(upstreamCalls(h) - before).toBe(1);
  });

  it('refuses the same key with another body with 422', async () => {
    const key = fresh();
    await h.post('/v1/chat/completions', uniqueChat(), { headers: keyed(key) });
    const other = await h.post('/v1/chat/completions', uniqueChat(), { headers: keyed(key) });
    expect(other.status).toBe(422);
    expect(await errorOf(other)).toMatchObject({ code: 'idempotency_key_reused', type: 'invalid_request_error', param: 'Idempotency-Key' });
  });

  it('keeps keys per tenant', async () => {
    const key = fresh();
    await h.post('/v1/chat/completions', uniqueChat(), { headers: keyed(key) });
    const elsewhere = await h.post('/v1/chat/completions', uniqueChat(), { key: TEAM_C_KEY, headers: keyed(key) });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.headers.get('x-tollgate-idempotent-replay')).toBeNull();
  });

  it('makes a duplicate in flight wait for the first and get its answer', async () => {
    const key = fresh();
    const body = uniqueChat({ temperature: 1 });
    h.fake.enqueue({ latencyMs: 200 });
    const before = upstreamCalls(h);
    const [a, b] = await Promise.all([
      h.post('/v1/chat/completions', body, { headers: keyed(key) }),
      new Promise((r) => setTimeout(r, 50)).then(() => h.post('/v1/chat/completions', body, { headers: keyed(key) })),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(await b.text()).toBe(await a.text());
    expect(upstreamCalls(h) - before).toBe(1);
  });

  it('answers 409 when the first is still running after the wait', async () => {
    const key = fresh();
    const body = uniqueChat({ temperature: 1 });
    h.fake.enqueue({ hang: true }); // the provider's first-byte timeout (1.5s) ends it after the wait (1s)
    const first = h.post('/v1/chat/completions', { ...body, model: 'chat' }, { headers: keyed(key) });
    await new Promise((r) => setTimeout(r, 100));
    const second = await h.post('/v1/chat/completions', body, { headers: keyed(key) });
    expect(second.status).toBe(409);
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await errorOf(second)).code).toBe('idempotency_in_progress');
    await first;
  });

  it('does not let a failed first attempt poison the key', async () => {
    const key = fresh();
    const body = uniqueChat();
    h.fake.enqueue({ status: 500 });
    expect((await h.post('/v1/chat/completions', body, { headers: keyed(key) })).status).toBe(502);
    const before = upstreamCalls(h);
    const retry = await h.post('/v1/chat/completions', body, { headers: keyed(key) });
    expect(retry.status).toBe(200);
    expect(upstreamCalls(h) - before).toBe(1);

    // A stream cut before its end frees the key as well.
    const cutKey = fresh();
    const streamBody = uniqueChat({ stream: true, temperature: 1 });
    h.fake.enqueue({ cutAfterChunks: 2 });
    await (await h.post('/v1/chat/completions', streamBody, { headers: keyed(cutKey) })).text();
    const again = await h.post('/v1/chat/completions', streamBody, { headers: keyed(cutKey) });
    expect(again.headers.get('x-tollgate-idempotent-replay')).toBeNull();
    expect((await sseData(again)).at(-1)).toBe('[DONE]');
  });

  it.each([['x'.repeat(256)], ['has space'], ['']])('refuses a malformed key %#', async (key) => {
    const response = await h.post('/v1/chat/completions', uniqueChat(), { key: TEAM_KEY, headers: keyed(key) });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).param).toBe('Idempotency-Key');
  });
});
