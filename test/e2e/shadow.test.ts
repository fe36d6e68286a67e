import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { DEFAULT_SHADOW_LIMITS } from '../../src/router/shadow-traffic.ts';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/index.ts';
import { sseData, startHarness, TEAM_KEY, UPSTREAM_KEY, type Harness } from './harness.ts';

// Shadow traffic through the real server. The primary target is the harness's fake
// upstream; the shadow target is a second fake, so each side can be scripted apart.

const SHADOW_KEY = 'sk-shadow-provider-key-42';
let h: Harness;
let candidate: FakeUpstream;
let closed = false;

beforeAll(async () => {
  candidate = await startFakeUpstream();
  h = await startHarness({
    config: (fakeUrl) => `
server: { host: 127.0.0.1, port: 0, drainTimeout: 5s }
pricing:
  primary-model: { input: 2, output: 8 }
  candidate-1: { input: 1, output: 4 }
providers:
  fake: { kind: openai, baseUrl: ${fakeUrl}, apiKey: ${UPSTREAM_KEY} }
  candidate:
    kind: openai
    baseUrl: ${candidate.url}
    apiKey: ${SHADOW_KEY}
    timeouts: { firstByte: 400ms, idle: 400ms, total: 2s }
  stuck:
    kind: openai
    baseUrl: ${candidate.url}
    apiKey: ${SHADOW_KEY}
    timeouts: { firstByte: 60s, idle: 60s, total: 60s }
models:
  shadowed:
    targets: [{ provider: fake, model: primary-model }]
    shadow: { provider: candidate, model: candidate-1, sample: 1 }
  stuck-shadow:
    targets: [{ provider: fake, model: primary-model }]
    shadow: { provider: stuck, model: candidate-2, sample: 1 }
  unsampled:
    targets: [{ provider: fake, model: primary-model }]
    shadow: { provider: candidate, model: candidate-1, sample: 0 }
tenants:
  team: { keys: ["${hashKey(TEAM_KEY)}"], models: ["*"] }
`,
  });
});
afterAll(async () => {
  if (!closed) await h.close();
  await candidate.close();
});
beforeEach(() => {
  h.fake.reset();
  candidate.reset();
});

async function waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = h.logs.find(match);
    if (line) return line;
    if (Date.now() > deadline) throw new Error('no such log line');
    await new Promise((r) => setTimeout(r, 20));
  }
}
const shadowLineFor = (reqId: string) => waitForLog((l) => l.msg === 'shadow' && l.reqId === reqId);
type Side = { provider: string; model: string; status: number; code?: string; latencyMs: number; promptTokens?: number; completionTokens?: number; costUsd?: number };

describe('shadow traffic', () => {
  it('mirrors each request once, non-streaming, without client credentials, and logs the comparison', async () => {
    const { data, response } = await h.client().chat.completions.create({ model: 'shadowed', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    expect(data.choices[0]!.message.content).toBe('Hello from fake upstream.');
    const reqId = response.headers.get('x-request-id')!;
    const line = await shadowLineFor(reqId);

    expect(candidate.requests).toHaveLength(1);
    const mirrored = candidate.requests[0]!;
    expect(mirrored.body).toMatchObject({ model: 'candidate-1', stream: false, messages: [{ role: 'user', content: 'hello' }] });
    expect(mirrored.headers.authorization).toBe(`Bearer ${SHADOW_KEY}`);
    expect(JSON.stringify(mirrored.headers)).not.toContain(TEAM_KEY);
    expect(mirrored.headers['x-request-id']).toBe(`${reqId}-shadow`);

    expect(line).toMatchObject({ alias: 'shadowed', sameText: true, sameToolCalls: true });
    const primary = line.primary as Side;
    const shadow = line.shadow as Side;
    expect(primary).toMatchObject({ provider: 'fake', model: 'primary-model', status: 200 });
    expect(shadow).toMatchObject({ provider: 'candidate', model: 'candidate-1', status: 200 });
    expect(shadow.promptTokens).toBeGreaterThan(0);
    expect(shadow.completionTokens).toBeGreaterThan(0);
    expect(shadow.latencyMs).toBeGreaterThanOrEqual(0);
    // Both sides are priced (USD per million tokens), the shadow apart from the tenant's spend.
    expect(shadow.costUsd).toBeCloseTo((shadow.promptTokens! * 1 + shadow.completionTokens! * 4) / 1e6, 12);
    expect(primary.costUsd).toBeCloseTo((primary.promptTokens! * 2 + primary.completionTokens! * 8) / 1e6, 12);
    // The client's own request log is unchanged by the mirror.
    expect((await h.logFor(reqId)).model).toBe('primary-model');
  });

  it('compares a streamed primary assembled from its deltas, text and tool calls apart', async () => {
    h.fake.setDefault({ content: 'the same words, in pieces', chunks: 5 });
    candidate.setDefault({ content: 'the same words, in pieces' });
    const response = await h.post('/v1/chat/completions', { model: 'shadowed', stream: true, messages: [{ role: 'user', content: 'x' }] });
    expect((await sseData(response)).at(-1)).toBe('[DONE]');
    const first = await shadowLineFor(response.headers.get('x-request-id')!);
    expect(first).toMatchObject({ sameText: true, sameToolCalls: true });
    expect(candidate.requests[0]!.body.stream).toBe(false);
    expect(candidate.requests[0]!.body.stream_options).toBeUndefined();

    h.fake.setDefault({ toolCalls: [{ name: 'lookup', arguments: '{"b":2,"a":1}' }], chunks: 3 });
    candidate.setDefault({ content: 'I would rather talk', toolCalls: [{ name: 'lookup', arguments: '{ "a": 1, "b": 2 }' }] });
    const tools = await h.post('/v1/chat/completions', { model: 'shadowed', stream: true, messages: [{ role: 'user', content: 'y' }] });
    await sseData(tools);
    expect(await shadowLineFor(tools.headers.get('x-request-id')!)).toMatchObject({ sameText: false, sameToolCalls: true });
  });

  it('the client is unaffected when the shadow target errors or hangs; the line says how the shadow failed', async () => {
    candidate.setDefault({ status: 500 });
    const failed = await h.client().chat.completions.create({ model: 'shadowed', messages: [{ role: 'user', content: 'a' }] }).withResponse();
    expect(failed.data.choices[0]!.message.content).toBe('Hello from fake upstream.');
    const failedLine = await shadowLineFor(failed.response.headers.get('x-request-id')!);
    expect(failedLine.shadow).toMatchObject({ status: 502, code: 'upstream_error' });
    expect(failedLine.sameText).toBeUndefined();
    expect(candidate.requests).toHaveLength(1); // never retried

    candidate.setDefault({ hang: true });
    const hung = await h.client().chat.completions.create({ model: 'shadowed', messages: [{ role: 'user', content: 'b' }] }).withResponse();
    expect(hung.data.choices[0]!.message.content).toBe('Hello from fake upstream.');
    const hungLine = await shadowLineFor(hung.response.headers.get('x-request-id')!);
    expect(hungLine.shadow).toMatchObject({ status: 504, code: 'upstream_timeout' });
    await candidate.waitForAbort();
  });

  it('a sample of 0 mirrors nothing', async () => {
    const response = await h.post('/v1/chat/completions', { model: 'unsampled', messages: [{ role: 'user', content: 'z' }] });
    expect(response.status).toBe(200);
    await h.logFor(response.headers.get('x-request-id')!);
    expect(candidate.requests).toHaveLength(0);
  });

  it('drops and counts mirrors when the queue is full, and cancels the rest on shutdown', async () => {
    candidate.setDefault({ hang: true });
    const { concurrency, capacity } = DEFAULT_SHADOW_LIMITS;
    const total = concurrency + capacity + 5;
    for (let i = 0; i < total; i++) {
      const response = await h.post('/v1/chat/completions', { model: 'stuck-shadow', messages: [{ role: 'user', content: `m${i}` }] });
      expect(response.status).toBe(200);
      await response.json();
    }
    const dropped = await waitForLog((l) => l.msg === 'shadow request dropped: the shadow queue is full');
    expect(dropped.shadowDropped).toBe(1);
    await expect.poll(() => candidate.requests.length).toBe(concurrency);

    closed = true;
    await h.close();
    const stopped = await waitForLog((l) => l.msg === 'shadow traffic stopped');
    expect(stopped).toMatchObject({ shadowDropped: 5, shadowCancelled: concurrency + capacity });
    // The hanging calls were cancelled, not left to their 60 s deadline.
    for (let i = 0; i < concurrency; i++) await candidate.waitForAbort(2000);
  });
});
