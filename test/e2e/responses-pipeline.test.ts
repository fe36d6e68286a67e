import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { errorOf, startHarness, TEAM_KEY, UPSTREAM_KEY, type Harness } from './harness.ts';

// /v1/responses runs the chat pipeline, not a second one: budgets, run guards and the
// cheap-model router apply to it as they do to chat, on translated and native targets.

const BUDGET_KEY = 'tg-budget-key';
const RUN_KEY = 'tg-run-key';
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    config: (fake) => `
server: { host: 127.0.0.1, port: 0 }
providers:
  native: { kind: openai, baseUrl: ${fake}, apiKey: ${UPSTREAM_KEY}, responses: native }
  mock: { kind: mock }
models:
  native: { targets: [{ provider: native, model: native-model }], retries: 0, breaker: false }
  small: { targets: [{ provider: mock, model: mock-small }] }
  big: { targets: [{ provider: mock, model: mock-big }] }
  auto: { router: { cheap: small, strong: big, threshold: 0.5 } }
tenants:
  team-a: { keys: ["${hashKey(TEAM_KEY)}"], models: ["*"] }
  metered:
    keys: ["${hashKey(BUDGET_KEY)}"]
    models: ["*"]
    budgets: [{ window: minute, requests: 2 }, { window: day, output_tokens: 100000 }]
  guarded:
    keys: ["${hashKey(RUN_KEY)}"]
    models: ["*"]
    runs: { maxSteps: 1 }
`,
  });
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

it('spends the tenant budget, and caps the output of an uncapped native request at what it reserved', async () => {
  const first = await h.post('/v1/responses', { model: 'native', input: 'hi' }, { key: BUDGET_KEY });
  expect(first.status).toBe(200);
  expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
  expect(h.fake.requests.at(-1)!.body).toMatchObject({ model: 'native-model', input: 'hi', max_output_tokens: 4096 });
  expect((await h.post('/v1/responses', { model: 'small', input: 'hi' }, { key: BUDGET_KEY })).status).toBe(200);
  const refused = await h.post('/v1/responses', { model: 'small', input: 'hi' }, { key: BUDGET_KEY });
  expect(refused.status).toBe(429);
  expect((await errorOf(refused)).code).toBe('rate_limited');
});

it('counts agent-run steps made through the Responses API', async () => {
  const headers = { 'x-tollgate-run-id': 'run-responses-1' };
  expect((await h.post('/v1/responses', { model: 'small', input: 'step one' }, { key: RUN_KEY, headers })).status).toBe(200);
  const second = await h.post('/v1/responses', { model: 'small', input: 'step two' }, { key: RUN_KEY, headers });
  expect(second.status).toBe(429);
  expect((await errorOf(second)).code).toBe('run_budget_exceeded');
});

it('routes a router alias by the translated prompt', async () => {
  const response = await h.post('/v1/responses', { model: 'auto', input: 'hi' });
  expect(response.status).toBe(200);
  expect(response.headers.get('x-tollgate-model')).toBe('mock/mock-small');
  const forced = await h.post('/v1/responses', { model: 'auto', input: 'hi' }, { headers: { 'x-tollgate-route': 'strong' } });
  expect(forced.headers.get('x-tollgate-model')).toBe('mock/mock-big');
  expect(((await forced.json()) as { model: string }).model).toBe('mock-big');
});

it('refuses a native stream cut before its terminal event', async () => {
  h.fake.enqueue({ cutAfterChunks: 3 });
  const response = await h.post('/v1/responses', { model: 'native', input: 'x', stream: true });
  const text = await response.text();
  expect(text).toContain('response.created');
  expect(text).not.toContain('response.completed');
  expect(text.trimEnd().split('\n\n').at(-1)).toContain('"error"');
});
