import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/index.ts';
import { errorOf, sseData } from './harness.ts';
import { startGatewayWith, type TestGateway } from './gateway-with.ts';

// The fallback loop end to end, against the fake upstream: retries, Retry-After, connect
// failures, slow and cut streams, every target down, context windows, relayed 429 codes,
// weights, provider rate-limit headers and load shedding. Each alias has its own models,
// so breakers (on by default) never carry over between tests.

let fake: FakeUpstream;
let g: TestGateway;
beforeAll(async () => {
  fake = await startFakeUpstream();
  g = await startGatewayWith(`
providers:
  fake: { kind: openai, baseUrl: ${fake.url}, apiKey: sk-fake, timeouts: { firstByte: 2s, idle: 2s, total: 10s } }
  nowhere: { kind: openai, baseUrl: "http://127.0.0.1:9/v1", apiKey: x }
models:
  retry500: { targets: [{ provider: fake, model: r500 }] }
  retry429: { targets: [{ provider: fake, model: r429 }] }
  refused: { targets: [{ provider: nowhere, model: gone }, { provider: fake, model: refused-fallback }] }
  slow: { targets: [{ provider: fake, model: slow-1, timeouts: { firstByte: 200ms } }, { provider: fake, model: slow-2 }], retries: 0 }
  streamcut: { targets: [{ provider: fake, model: cut }] }
  down: { targets: [{ provider: fake, model: down-1 }, { provider: nowhere, model: down-2 }], retries: 1 }
  limited: { targets: [{ provider: fake, model: lim-1 }, { provider: fake, model: lim-2 }], retries: 0 }
  context: { targets: [{ provider: fake, model: small, contextWindow: 8000 }, { provider: fake, model: large, contextWindow: 128000 }] }
  quota: { targets: [{ provider: fake, model: quota }] }
  weighted: { targets: [{ provider: fake, model: heavy, weight: 3 }, { provider: fake, model: light, weight: 1 }, { provider: fake, model: last-resort }] }
  headers: { targets: [{ provider: fake, model: near-limit }, { provider: fake, model: spare }] }
  capped: { targets: [{ provider: fake, model: capped, maxConcurrent: 1, maxQueued: 0 }] }
`);
});
afterAll(async () => {
  await g.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const chat = (model: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
  g.post({ model, messages: [{ role: 'user', content: 'hi' }], ...extra }, headers);
const modelsCalled = () => fake.requests.map((r) => (r.body as { model: string }).model);

describe('retries', () => {
  it('a 500 then success: answered, and the response and log say what happened', async () => {
    fake.enqueue({ status: 500 });
    const res = await chat('retry500');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tollgate-model')).toBe('fake/r500');
    expect(res.headers.get('x-tollgate-attempts')).toBe('fake/r500=502,fake/r500=200');
    expect(modelsCalled()).toEqual(['r500', 'r500']);
    const line = await g.logFor(res.headers.get('x-request-id')!);
    expect(line).toMatchObject({ status: 200, provider: 'fake', model: 'r500', attempts: 'fake/r500=502,fake/r500=200' });
  });

  it('a one-target alias survives a 429 with Retry-After: 1', async () => {
    fake.enqueue({ status: 429, headers: { 'retry-after': '1' } });
    const res = await chat('retry429');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tollgate-attempts')).toBe('fake/r429=429,fake/r429=200');
  });

  it('a client that leaves during the wait gets no retry', async () => {
    fake.enqueue({ status: 429, headers: { 'retry-after': '5' } });
    const client = new AbortController();
    const reqId = 'resilience-gone-client';
    const pending = g.post({ model: 'retry429', messages: [{ role: 'user', content: 'hi' }] }, { 'x-request-id': reqId }, client.signal).catch(() => undefined);
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    client.abort();
    await pending;
    const line = await g.logFor(reqId);
    expect(line).toMatchObject({ status: 499, attempts: 'fake/r429=429' });
    expect(fake.requests).toHaveLength(1);
  });

  it('a refused connection is retried, then the next target answers', async () => {
    const res = await chat('refused');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tollgate-model')).toBe('fake/refused-fallback');
    expect(res.headers.get('x-tollgate-attempts')).toBe('nowhere/gone=502,nowhere/gone=502,nowhere/gone=502,fake/refused-fallback=200');
  });
});

describe('streams', () => {
  it('a slow first token (a per-target deadline) falls to the next target', async () => {
    fake.enqueue({ latencyMs: 1500 });
    const res = await chat('slow', { stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tollgate-attempts')).toBe('fake/slow-1=504,fake/slow-2=200');
    expect((await sseData(res)).at(-1)).toBe('[DONE]');
    expect((await fake.waitForAbort(2000)).body.model).toBe('slow-1');
  });

  it('a stream cut before its first event is retried; the client sees one clean stream', async () => {
    fake.enqueue({ cutAfterChunks: 0 });
    const res = await chat('streamcut', { stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tollgate-attempts')).toBe('fake/cut=502,fake/cut=200');
    const events = await sseData(res);
    expect(events.at(-1)).toBe('[DONE]');
  });

  it('a stream cut after its first event is never retried: an error event, no [DONE]', async () => {
    fake.enqueue({ chunks: 6, cutAfterChunks: 2 });
    const res = await chat('streamcut', { stream: true });
    expect(res.status).toBe(200);
    const events = await sseData(res);
    expect(events).not.toContain('[DONE]');
    expect(JSON.parse(events.at(-1)!).error.code).toBe('upstream_error');
    expect(fake.requests).toHaveLength(1);
  });
});

describe('when every target fails', () => {
  it('the last real failure, with every attempt listed in the message and the header', async () => {
    fake.enqueue({ status: 500 }, 2);
    const res = await chat('down');
    expect(res.status).toBe(502);
    const attempts = 'fake/down-1=502,fake/down-1=502,nowhere/down-2=502,nowhere/down-2=502';
    expect(res.headers.get('x-tollgate-attempts')).toBe(attempts);
    expect(res.headers.get('x-tollgate-model')).toBeNull();
    const error = await errorOf(res);
    expect(error.code).toBe('upstream_error');
    expect(error.message).toContain('nowhere');
    expect(error.message).toContain(`(attempts: ${attempts})`);
    expect((await g.logFor(res.headers.get('x-request-id')!)).attempts).toBe(attempts);
  });

  it('all rate limited: 429 with the provider code and Retry-After', async () => {
    fake.enqueue({ status: 429, headers: { 'retry-after': '30' } }, 2);
    const res = await chat('limited');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('30');
    const error = await errorOf(res);
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.message).toContain('(attempts: fake/lim-1=429,fake/lim-2=429)');
  });

  it('a 429 insufficient_quota is relayed with its code, and not retried', async () => {
    const quota = { error: { message: 'You exceeded your current quota.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } };
    fake.enqueue({ status: 429, rawBody: JSON.stringify(quota) });
    const res = await chat('quota');
    expect(res.status).toBe(429);
    expect(await errorOf(res)).toMatchObject({ code: 'insufficient_quota', type: 'insufficient_quota' });
    expect(fake.requests).toHaveLength(1);
  });
});

describe('routing', () => {
  it('a context-length 400 falls to the target with a larger window', async () => {
    const tooLong = { error: { message: 'maximum context length is 8192 tokens', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } };
    fake.enqueue({ status: 400, rawBody: JSON.stringify(tooLong) });
    const res = await chat('context');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tollgate-attempts')).toBe('fake/small=400,fake/large=200');
  });

  it('weights are honoured within tolerance; a run stays on the target it started on', async () => {
    for (let i = 0; i < 200; i++) expect((await chat('weighted')).status).toBe(200);
    const heavy = modelsCalled().filter((m) => m === 'heavy').length;
    expect(heavy / 200).toBeGreaterThan(0.6);
    expect(heavy / 200).toBeLessThan(0.9);
    expect(modelsCalled()).not.toContain('last-resort');

    for (const run of ['run-a', 'run-b', 'run-c', 'run-d']) {
      fake.reset();
      for (let i = 0; i < 12; i++) await chat('weighted', {}, { 'x-tollgate-run-id': run });
      expect(new Set(modelsCalled()).size, run).toBe(1);
    }
  });

  it('a target whose provider says it is at its rate limit is avoided until the reset', async () => {
    fake.enqueue({ headers: { 'x-ratelimit-limit-requests': '100', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '20s' } });
    expect((await chat('headers')).headers.get('x-tollgate-model')).toBe('fake/near-limit');
    const res = await chat('headers');
    expect(res.headers.get('x-tollgate-attempts')).toBe('fake/near-limit=limited,fake/spare=200');
    expect(modelsCalled()).toEqual(['near-limit', 'spare']);
  });

  it('sheds with 503 gateway_overloaded and Retry-After when the target is at its limit and the queue is full', async () => {
    fake.enqueue({ latencyMs: 800 });
    const first = chat('capped');
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const shed = await chat('capped');
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect((await errorOf(shed)).code).toBe('gateway_overloaded');
    expect((await first).status).toBe(200);
    expect(fake.requests).toHaveLength(1);
    // The slot came back when the first answer was done.
    expect((await chat('capped')).status).toBe(200);
  });
});
