import { Writable } from 'node:stream';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { parseConfig } from '../../src/config/load.ts';
import { startGateway, type Gateway } from '../../src/main.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/index.ts';
import { errorOf, sseData } from './harness.ts';

// A router alias through the real server: which model the fake upstream received, the
// x-tollgate-route header on JSON and streams, forcing a side, and run stickiness.

const ROUTER_KEY = 'tg-router-key';
const SIDES_KEY = 'tg-sides-only-key';
const EASY = 'What is the capital of France?';
const HARD = 'Prove that there are infinitely many primes p such that p ≡ 3 (mod 4), and explain each step.';
const ROUTE = /^(cheap|strong)(?:; score=(0\.\d{3}|1\.000))?; threshold=0\.5; reason=(score|forced|run|unavailable)$/;

let fake: FakeUpstream;
let gateway: Gateway;
const logs: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  fake = await startFakeUpstream();
  const yaml = `
server: { host: 127.0.0.1, port: 0 }
policies: { limits: { maxBodyBytes: 8mb, maxMessages: 2000 } }
providers:
  fake: { kind: openai, baseUrl: ${fake.url}, apiKey: sk-test }
  keyless:
    kind: openai
    baseUrl: ${fake.url}
    apiKey: \${TOLLGATE_TEST_UNSET_KEY}
models:
  small: { targets: [{ provider: fake, model: fake-small }], retries: 0 }
  big: { targets: [{ provider: fake, model: fake-big }], retries: 0 }
  dead: { targets: [{ provider: keyless, model: m }] }
  auto: { router: { cheap: small, strong: big } }
  half-dead: { router: { cheap: dead, strong: big, threshold: 0.5 } }
tenants:
  routed: { keys: ["${hashKey(ROUTER_KEY)}"], models: [auto, half-dead] }
  sides: { keys: ["${hashKey(SIDES_KEY)}"], models: [small, big] }
`;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line));
      done();
    },
  });
  gateway = await startGateway(parseConfig(yaml, 'router.yaml', {}), createLogger('info', sink));
});
afterAll(async () => {
  await gateway.shutdown();
  await fake.close();
});
beforeEach(() => fake.reset());

const client = (key = ROUTER_KEY, headers: Record<string, string> = {}) =>
  new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0, timeout: 10_000, defaultHeaders: headers });
const upstreamModels = () => fake.requests.map((r) => (r.body as { model: string }).model);
const post = (body: unknown, headers: Record<string, string> = {}, path = '/v1/chat/completions') =>
  fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ROUTER_KEY}`, ...headers },
    body: JSON.stringify(body),
  });
const ask = (content: string, headers: Record<string, string> = {}) =>
  client(ROUTER_KEY, headers).chat.completions.create({ model: 'auto', messages: [{ role: 'user', content }] }).withResponse();

async function logLine(reqId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const line = logs.find((l) => l.reqId === reqId && typeof l.status === 'number');
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no log line for ${reqId}`);
}

describe('a router alias', () => {
  it('sends an easy prompt to the cheap side and says so in the header and the log', async () => {
    const { response } = await ask(EASY);
    expect(upstreamModels()).toEqual(['fake-small']);
    const route = response.headers.get('x-tollgate-route')!;
    expect(route).toMatch(ROUTE);
    expect(route).toMatch(/^cheap; score=0\.\d+; threshold=0\.5; reason=score$/);
    const line = await logLine(response.headers.get('x-request-id')!);
    expect(line).toMatchObject({ alias: 'small', model: 'fake-small', routedFrom: 'auto', routeSide: 'cheap', routeReason: 'score', routeThreshold: 0.5, status: 200 });
    expect(line.routeScore).toBeLessThan(0.5);
  });

  it('sends a hard prompt to the strong side', async () => {
    const { response } = await ask(HARD);
    expect(upstreamModels()).toEqual(['fake-big']);
    expect(response.headers.get('x-tollgate-route')).toMatch(/^strong; score=0\.\d+; threshold=0\.5; reason=score$/);
  });

  it('lets the client force either side with the request header', async () => {
    const strong = await ask(EASY, { 'x-tollgate-route': 'strong' });
    const cheap = await ask(HARD, { 'x-tollgate-route': 'Cheap' });
    expect(upstreamModels()).toEqual(['fake-big', 'fake-small']);
    expect(strong.response.headers.get('x-tollgate-route')).toBe('strong; threshold=0.5; reason=forced');
    expect(cheap.response.headers.get('x-tollgate-route')).toBe('cheap; threshold=0.5; reason=forced');
  });

  it('rejects a force header it does not understand', async () => {
    const response = await post({ model: 'auto', messages: [{ role: 'user', content: EASY }] }, { 'x-tollgate-route': 'cheapest' });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/x-tollgate-route.*"cheap" or "strong"/) });
    expect(fake.requests).toHaveLength(0);
  });

  it('keeps a run on the side of its first request', async () => {
    const run = { 'x-tollgate-run-id': `run-${Date.now()}` };
    await ask(EASY, run);
    const second = await ask(HARD, run);
    const otherRun = await ask(HARD, { 'x-tollgate-run-id': `other-${Date.now()}` });
    expect(upstreamModels()).toEqual(['fake-small', 'fake-small', 'fake-big']);
    expect(second.response.headers.get('x-tollgate-route')).toMatch(/^cheap; score=0\.\d+; threshold=0\.5; reason=run$/);
    expect(otherRun.response.headers.get('x-tollgate-route')).toMatch(/reason=score$/);
  });

  it('refuses an over-long run id before routing (memory stays bounded)', async () => {
    const response = await post({ model: 'auto', messages: [{ role: 'user', content: EASY }] }, { 'x-tollgate-run-id': 'r'.repeat(5000) });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: 'invalid_request' });
    expect(upstreamModels()).toEqual([]);
  });

  it('puts the header on streams too', async () => {
    const response = await post({ model: 'auto', stream: true, messages: [{ role: 'user', content: HARD }] });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-tollgate-route')).toMatch(/^strong; score=/);
    const events = await sseData(response);
    expect(events.at(-1)).toBe('[DONE]');
    expect(upstreamModels()).toEqual(['fake-big']);
    const line = await logLine(response.headers.get('x-request-id')!);
    expect(line).toMatchObject({ stream: true, routedFrom: 'auto', routeSide: 'strong', alias: 'big' });
  });

  it('says which side failed when the chosen upstream fails', async () => {
    fake.enqueue({ status: 500 });
    const response = await post({ model: 'auto', messages: [{ role: 'user', content: HARD }] });
    expect(response.status).toBe(502);
    expect(await errorOf(response)).toMatchObject({ code: 'upstream_error' });
    expect(response.headers.get('x-tollgate-route')).toMatch(/^strong; score=/);
    expect(upstreamModels()).toEqual(['fake-big']);
  });

  it('lets a tenant allowed the router use both sides through it, and only through it', async () => {
    await ask(EASY);
    await ask(HARD);
    expect(upstreamModels()).toEqual(['fake-small', 'fake-big']);
    const direct = await client().chat.completions.create({ model: 'small', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect((direct as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_found');
    const other = await client(SIDES_KEY).chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect((other as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    expect((other as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_found');
    expect(fake.requests).toHaveLength(2);
  });

  it('sends everything to the live side when the other has no live provider', async () => {
    const { response } = await client().chat.completions.create({ model: 'half-dead', messages: [{ role: 'user', content: EASY }] }).withResponse();
    expect(upstreamModels()).toEqual(['fake-big']);
    expect(response.headers.get('x-tollgate-route')).toMatch(/^strong; score=0\.\d+; threshold=0\.5; reason=unavailable$/);
  });

  it('is listed by /v1/models, and refuses embeddings', async () => {
    const list = await client().models.list();
    expect(list.data.map((m) => m.id).sort()).toEqual(['auto', 'half-dead']);
    const response = await post({ model: 'auto', input: 'x' }, {}, '/v1/embeddings');
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: 'invalid_request', param: 'model' });
  });

  it('scores hostile requests in bounded time: a 4 MB prompt, 2000 messages, content parts nested as deep as the limits allow', async () => {
    const huge = `${'lorem ipsum '.repeat(350_000)}What is 2+2?`;
    const many = Array.from({ length: 2000 }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: 'word '.repeat(300) }));
    let nested: unknown = { type: 'text', text: 'deep' };
    for (let i = 0; i < 25; i++) nested = { type: 'wrapper', content: [nested] };
    for (const messages of [[{ role: 'user', content: huge }], many, [{ role: 'user', content: [nested, { type: 'text', text: 'hello' }] }]]) {
      const response = await post({ model: 'auto', messages });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-tollgate-route')).toMatch(ROUTE);
      await response.arrayBuffer();
    }
    expect(fake.requests).toHaveLength(3);
  });
});
