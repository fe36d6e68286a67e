import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { errorOf, startHarness, TEAM_KEY, UPSTREAM_KEY, type Harness } from './harness.ts';

// The smaller OpenAI routes: legacy completions and moderations relayed as is, every route
// without its /v1 prefix, and CORS for listed browser origins only.

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    config: (fake) => `
server: { host: 127.0.0.1, port: 0, cors: { origins: ["https://app.example.com"], headers: [x-custom] } }
providers:
  chat-only: { kind: openai, baseUrl: ${fake}, apiKey: ${UPSTREAM_KEY} }
  mock: { kind: mock }
models:
  mock-chat: { targets: [{ provider: mock, model: mock-1 }] }
  base: { targets: [{ provider: chat-only, model: base-model }], retries: 0, breaker: false }
  moderation: { targets: [{ provider: chat-only, model: omni-moderation-latest }], retries: 0, breaker: false }
tenants:
  team-a: { keys: ["${hashKey(TEAM_KEY)}"], models: ["*"] }
`,
  });
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

describe('legacy completions, moderations, bare routes, CORS', () => {
  it('relays completions, streaming and not, metered', async () => {
    const client = h.client();
    const done = await client.completions.create({ model: 'base', prompt: 'Once upon a time' }, { headers: { 'x-request-id': 'cmpl-json' } });
    expect(done.choices[0]!.text).toBe(' and that is the fake completion.');
    expect(h.fake.requests.at(-1)!.path).toBe('/v1/completions');
    expect((await h.logFor('cmpl-json')).completionTokens).toBeGreaterThan(0);

    const stream = await client.completions.create({ model: 'base', prompt: 'Once', stream: true }, { headers: { 'x-request-id': 'cmpl-stream' } });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(' and that is the fake completion.');
    const log = await h.logFor('cmpl-stream');
    expect(log).toMatchObject({ endpoint: 'completions', usageSource: 'upstream' });
  });

  it('refuses completions on a target that cannot serve them', async () => {
    const response = await h.post('/v1/completions', { model: 'mock-chat', prompt: 'x' });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('unsupported_feature');
  });

  it('relays moderations to the alias target', async () => {
    const result = await h.client().moderations.create({ model: 'moderation', input: 'I hate this' });
    expect(result.results[0]!.flagged).toBe(true);
    expect(h.fake.requests.at(-1)!.body).toMatchObject({ model: 'omni-moderation-latest', input: 'I hate this' });
  });

  it('serves the same routes without /v1', async () => {
    const chat = await h.post('/chat/completions', { model: 'mock-chat', messages: [{ role: 'user', content: 'bare' }] });
    expect(chat.status).toBe(200);
    const responses = await h.post('/responses', { model: 'mock-chat', input: 'bare' });
    expect(((await responses.json()) as { output: Array<{ content: Array<{ text: string }> }> }).output[0]!.content[0]!.text).toBe('Echo: bare');
    const models = await fetch(`${h.gateway.url}/models`, { headers: { authorization: `Bearer ${TEAM_KEY}` } });
    expect(models.status).toBe(200);
  });

  it('answers preflights for listed origins only, and tags their answers', async () => {
    const preflight = (origin: string) =>
      fetch(`${h.gateway.url}/v1/responses`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
    const listed = await preflight('https://app.example.com');
    expect(listed.status).toBe(204);
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(listed.headers.get('access-control-allow-methods')).toContain('POST');
    expect(listed.headers.get('access-control-allow-headers')).toContain('x-custom');
    const unlisted = await preflight('https://evil.example.com');
    expect(unlisted.headers.get('access-control-allow-origin')).toBeNull();

    const tagged = await h.post('/v1/responses', { model: 'mock-chat', input: 'cors' }, { headers: { origin: 'https://app.example.com' } });
    expect(tagged.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(tagged.headers.get('access-control-expose-headers')).toContain('x-request-id');
    const refused = await h.post('/v1/responses', { model: 'mock-chat', input: 'cors' }, { headers: { origin: 'https://evil.example.com' } });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});
