import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTHER_KEY, sseData, TEAM_KEY, type Harness } from './harness.ts';
import { EVALS_1_KEY, EVALS_2_KEY, startCacheHarness, TEAM_C_KEY, uniqueChat, upstreamCalls } from './cache-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startCacheHarness({ limits: '{ maxBodyBytes: 5mb, maxMessages: 50 }' });
});
afterAll(() => h.close());

async function ask(body: Record<string, unknown>, key = TEAM_KEY, headers: Record<string, string> = {}) {
  const response = await h.post('/v1/chat/completions', body, { key, headers });
  return { response, text: await response.text(), cache: response.headers.get('x-tollgate-cache') };
}

describe('response cache', () => {
  it('answers a repeated deterministic request from the cache, with the same bytes, marked and logged', async () => {
    const body = uniqueChat();
    const before = upstreamCalls(h);
    const first = await ask(body);
    const second = await ask(JSON.parse(JSON.stringify({ ...body, user: 'someone-else' })));
    expect(first.cache).toBe('miss');
    expect(second.cache).toBe('hit');
    expect(second.response.headers.get('age')).toMatch(/^\d+$/);
    expect(second.text).toBe(first.text);
    expect(upstreamCalls(h) - before).toBe(1);
    const line = await h.logFor(second.response.headers.get('x-request-id')!);
    expect(line).toMatchObject({ cache: 'hit', status: 200, promptTokens: 0, completionTokens: 0 });
    expect((await h.logFor(first.response.headers.get('x-request-id')!)).cache).toBe('miss');
  });

  it('never gives one tenant another tenant\'s entry; shared scopes share by config only', async () => {
    const body = uniqueChat();
    const before = upstreamCalls(h);
    expect((await ask(body, TEAM_KEY)).cache).toBe('miss');
    expect((await ask(body, TEAM_C_KEY)).cache).toBe('miss');
    expect((await ask(body, TEAM_C_KEY)).cache).toBe('hit');
    expect(upstreamCalls(h) - before).toBe(2);

    const evalBody = uniqueChat({ temperature: 0.7 });
    expect((await ask(evalBody, EVALS_1_KEY)).cache).toBe('miss');
    expect((await ask(evalBody, EVALS_2_KEY)).cache).toBe('hit');
    expect((await ask(evalBody, TEAM_C_KEY)).cache).toBe('bypass');
    // team-b may not use the alias at all: refused before the cache, never served from it.
    expect((await ask(body, OTHER_KEY)).response.status).toBe(404);
  });

  it('bypasses non-deterministic requests unless the tenant widens it', async () => {
    const body = uniqueChat({ temperature: 1 });
    expect((await ask(body)).cache).toBe('bypass');
    expect((await ask(body)).cache).toBe('bypass');
    expect((await ask(uniqueChat({ temperature: 1, seed: 7 }))).cache).toBe('miss');
  });

  it('follows Cache-Control: no-store, no-cache (refresh) and max-age', async () => {
    const body = uniqueChat();
    expect((await ask(body, TEAM_KEY, { 'cache-control': 'no-store' })).cache).toBe('bypass');
    expect((await ask(body)).cache).toBe('miss');
    const before = upstreamCalls(h);
    expect((await ask(body, TEAM_KEY, { 'cache-control': 'no-cache' })).cache).toBe('miss');
    expect(upstreamCalls(h) - before).toBe(1);
    expect((await ask(body, TEAM_KEY, { 'cache-control': 'max-age=3600' })).cache).toBe('hit');
    expect((await ask(body, TEAM_KEY, { 'cache-control': 'max-age=0' })).cache).toBe('miss');
    expect((await ask(body, TEAM_KEY, { 'cache-control': 'max-age=nonsense' })).cache).toBe('hit');
    const bad = await ask(body, TEAM_KEY, { 'x-tollgate-cache-ttl': 'forever' });
    expect(bad.response.status).toBe(400);
    expect(JSON.parse(bad.text).error.param).toBe('x-tollgate-cache-ttl');
  });

  it('never stores errors, cut streams or answers over the entry cap', async () => {
    const errored = uniqueChat();
    h.fake.enqueue({ status: 500 });
    expect((await ask(errored)).response.status).toBe(502);
    expect((await ask(errored)).cache).toBe('miss');

    const cut = uniqueChat({ stream: true });
    h.fake.enqueue({ cutAfterChunks: 2 });
    await ask(cut);
    const after = await ask(cut);
    expect(after.cache).toBe('miss');
    expect(after.text).toContain('[DONE]');

    const huge = uniqueChat();
    h.fake.enqueue({ hugeBody: { bytes: 200_000 } }, 2);
    const before = upstreamCalls(h);
    expect((await ask(huge)).response.status).toBe(200);
    expect((await ask(huge)).cache).toBe('miss');
    expect(upstreamCalls(h) - before).toBe(2);

    const longStream = uniqueChat({ stream: true });
    h.fake.enqueue({ bigStream: { events: 100, eventBytes: 2_000 } }, 2);
    await ask(longStream);
    expect((await ask(longStream)).cache).toBe('miss');
  });

  it('coalesces concurrent identical misses into one upstream call', async () => {
    const body = uniqueChat();
    h.fake.enqueue({ latencyMs: 300 });
    const before = upstreamCalls(h);
    const answers = await Promise.all(Array.from({ length: 5 }, () => ask(body)));
    expect(upstreamCalls(h) - before).toBe(1);
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers.map((a) => a.cache).sort()).toEqual(['hit', 'hit', 'hit', 'hit', 'miss']);
  });

  it('keys a 4 MB request body like any other', async () => {
    const body = uniqueChat();
    const huge = { ...body, messages: [...(body.messages as object[]), { role: 'user', content: 'x'.repeat(4 * 1024 * 1024) }] };
    expect((await ask(huge, TEAM_KEY, { 'idempotency-key': `big-${Math.random()}` })).cache).toBe('miss');
    expect((await ask(huge)).cache).toBe('hit');
    expect((await ask({ ...huge, temperature: 0, seed: 1 })).cache).toBe('miss');
  });

  it('caches embeddings', async () => {
    const body = { model: 'embed', input: `text ${Math.random()}` };
    const first = await h.post('/v1/embeddings', body);
    const second = await h.post('/v1/embeddings', body);
    expect(first.headers.get('x-tollgate-cache')).toBe('miss');
    expect(second.headers.get('x-tollgate-cache')).toBe('hit');
    expect(await second.text()).toBe(await first.text());
  });

  it('replays a hit as a well-formed stream with usage when asked', async () => {
    const body = uniqueChat();
    await ask(body);
    const replay = await h.post('/v1/chat/completions', { ...body, stream: true, stream_options: { include_usage: true } });
    expect(replay.headers.get('content-type')).toContain('text/event-stream');
    expect(replay.headers.get('x-tollgate-cache')).toBe('hit');
    const events = await sseData(replay);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks.at(-1).usage.total_tokens).toBeGreaterThan(0);
    const withoutUsage = await sseData(await h.post('/v1/chat/completions', { ...body, stream: true }));
    expect(withoutUsage.some((e) => e.includes('"usage"'))).toBe(false);
  });
});
