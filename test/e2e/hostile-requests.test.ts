import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, OTHER_KEY, startHarness, TEAM_KEY, type Harness } from './harness.ts';
import { rawRequest, type RawResponse } from './raw-http.ts';

// Requests shaped to confuse the gateway or a proxy in front of it: duplicate credentials,
// encoded dot segments, wrong methods, bodies built to be costly, and probing for other
// tenants' model names. Each gets an OpenAI-shaped 4xx and never reaches the provider.

let h: Harness;
beforeAll(async () => {
  // Small depth and key limits, so they can be crossed within the 64 kB body limit.
  h = await startHarness({ limits: '{ maxBodyBytes: 64kb, maxMessages: 50, maxDepth: 8, maxKeys: 200, maxObjectKeys: 100 }' });
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

const user = [{ role: 'user', content: 'hi' }];
const chatBody = JSON.stringify({ model: 'chat', messages: user });

function envelopeOf(res: RawResponse): { message: string; type: string; param: string | null; code: string } {
  expect(res.headers['content-type']).toBe('application/json');
  const error = (JSON.parse(res.body) as { error: { message: string; type: string; param: string | null; code: string } }).error;
  expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
  return error;
}

describe('encoded dot segments and slashes are refused before routing', () => {
  const refused = [
    'GET /v1/models/%2e%2e/%2e%2e/healthz',
    'GET /v1/models/%2E%2E/%2E%2E/readyz',
    'GET /v1/models/.%2e/.%2e/healthz',
    'GET /v1/models/..%5c..%5chealthz',
    'GET /v1/models/%2f..%2f..%2fhealthz',
    'GET /v1/%2e%2e/healthz',
    'GET /v1/models/../../healthz',
    'POST /v1/chat%2fcompletions',
    'POST /v1/chat%2Fcompletions',
    'POST /v1/x/%2e%2e/chat/completions',
  ];
  for (const line of refused) {
    it(`${line} → 400`, async () => {
      const res = await rawRequest(h.gateway.url, `${line} HTTP/1.1\nAuthorization: Bearer ${TEAM_KEY}\nContent-Type: application/json`, line.startsWith('POST') ? chatBody : '');
      expect(res.status).toBe(400);
      expect(envelopeOf(res).code).toBe('invalid_request');
      expect(h.fake.requests).toHaveLength(0);
    });
  }

  it('still serves a model id whose slash the OpenAI SDK encodes', async () => {
    const res = await rawRequest(h.gateway.url, `GET /v1/models/vendor%2Fwith-slash HTTP/1.1\nAuthorization: Bearer ${TEAM_KEY}`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ id: 'vendor/with-slash', object: 'model' });
  });
});

describe('more than one Authorization header is refused', () => {
  const cases: Array<[string, string]> = [
    ['the same key twice', `Authorization: Bearer ${TEAM_KEY}\nAuthorization: Bearer ${TEAM_KEY}`],
    ['a valid key, then another tenant’s', `Authorization: Bearer ${TEAM_KEY}\nAuthorization: Bearer ${OTHER_KEY}`],
    ['an unknown key, then a valid one', `Authorization: Bearer tg-wrong\nauthorization: Bearer ${TEAM_KEY}`],
  ];
  for (const [name, headers] of cases) {
    it(`${name} → 400 on chat and on /v1/models`, async () => {
      const chat = await rawRequest(h.gateway.url, `POST /v1/chat/completions HTTP/1.1\n${headers}\nContent-Type: application/json`, chatBody);
      expect(chat.status).toBe(400);
      expect(envelopeOf(chat)).toMatchObject({ code: 'invalid_request', type: 'invalid_request_error' });
      const models = await rawRequest(h.gateway.url, `GET /v1/models HTTP/1.1\n${headers}`);
      expect(models.status).toBe(400);
      expect(envelopeOf(models).code).toBe('invalid_request');
      expect(h.fake.requests).toHaveLength(0);
    });
  }

  it('one header still works', async () => {
    const res = await rawRequest(h.gateway.url, `GET /v1/models HTTP/1.1\nAuthorization: Bearer ${TEAM_KEY}`);
    expect(res.status).toBe(200);
  });
});

describe('a known route with the wrong method → 405 with Allow', () => {
  const cases: Array<[string, string, string]> = [
    ['GET', '/v1/chat/completions', 'POST'],
    ['PUT', '/v1/chat/completions', 'POST'],
    ['GET', '/v1/embeddings', 'POST'],
    ['DELETE', '/v1/models/chat', 'GET, HEAD'],
    ['POST', '/v1/models', 'GET, HEAD'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['PATCH', '/readyz', 'GET, HEAD'],
  ];
  for (const [method, path, allow] of cases) {
    it(`${method} ${path}`, async () => {
      const res = await fetch(`${h.gateway.url}${path}`, { method, headers: { authorization: `Bearer ${TEAM_KEY}` } });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      expect(await errorOf(res)).toMatchObject({ code: 'method_not_allowed', type: 'invalid_request_error', param: null });
    });
  }

  it('HEAD on a POST route is a 405 without a body; on a GET route it is served', async () => {
    const head = await rawRequest(h.gateway.url, 'HEAD /v1/chat/completions HTTP/1.1');
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe('POST');
    expect(head.body).toBe('');
    expect((await fetch(`${h.gateway.url}/healthz`, { method: 'HEAD' })).status).toBe(200);
  });

  it('an unknown route is still a 404', async () => {
    const res = await fetch(`${h.gateway.url}/v1/chat/completions/extra`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('not_found');
  });
});

describe('costly bodies are refused while parsing', () => {
  // `levels` arrays inside the body's own object: nesting depth levels + 1.
  const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

  it('nesting up to maxDepth passes and reaches the provider untouched; one more level is a 400', async () => {
    const ok = `{"model":"chat","messages":[{"role":"user","content":"hi"}],"extra":${nested(7)}}`;
    expect((await h.post('/v1/chat/completions', ok)).status).toBe(200);
    expect(h.fake.requests[0]!.body).toMatchObject({ model: 'fake-model', extra: JSON.parse(nested(7)) });

    const deep = `{"model":"chat","messages":[{"role":"user","content":"hi"}],"extra":${nested(8)}}`;
    const res = await h.post('/v1/chat/completions', deep);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error).toMatchObject({ code: 'invalid_request', param: null });
    expect(error.message).toMatch(/more than 8 levels deep/);
    expect(h.fake.requests).toHaveLength(1);
  });

  it('more keys than maxObjectKeys in one object, or maxKeys in all, is a 400; fewer pass through untouched', async () => {
    const keys = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `"k${from + i}":${from + i}`).join(',');
    const ask = '{"model":"chat","messages":[{"role":"user","content":"hi"}]';
    const ok = `${ask},${keys(90)},"more":{${keys(90)}}}`;
    expect((await h.post('/v1/chat/completions', ok)).status).toBe(200);
    expect(h.fake.requests[0]!.body).toMatchObject({ k0: 0, k89: 89, more: { k0: 0, k89: 89 } });

    const wide = await h.post('/v1/chat/completions', `${ask},"x":{${keys(101)}}}`);
    expect(wide.status).toBe(400);
    expect(await errorOf(wide)).toMatchObject({ code: 'invalid_request', param: null, message: expect.stringMatching(/an object .* more than 100 keys/i) });

    const spread = await h.post('/v1/chat/completions', `${ask},"a":{${keys(70)}},"b":{${keys(70)}},"c":{${keys(70)}}}`);
    expect(spread.status).toBe(400);
    expect((await errorOf(spread)).message).toMatch(/more than 200 keys, objects and arrays/);

    const containers = `${ask},"x":[${Array.from({ length: 300 }, () => '[]').join(',')}]}`;
    expect((await h.post('/v1/chat/completions', containers)).status).toBe(400);
    expect(h.fake.requests).toHaveLength(1);
  });

  it('the message count is checked before the schema looks at any message', async () => {
    const res = await h.post('/v1/chat/completions', { model: 'chat', messages: Array.from({ length: 51 }, () => ({ role: 'wizard' })) });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ param: 'messages' });
    expect((await errorOf(await h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'wizard' }] }))).param).toBe('messages[0].role');
  });
});

describe('another tenant’s model looks exactly like one that does not exist', () => {
  it('answers both with 404 model_not_found and the same words', async () => {
    const ask = (model: string) => fetch(`${h.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${OTHER_KEY}` },
      body: JSON.stringify({ model, messages: user }),
    });
    const theirs = await ask('chat');
    const nobodys = await ask('no-such-model');
    expect(theirs.status).toBe(404);
    expect(nobodys.status).toBe(404);
    const a = await errorOf(theirs);
    const b = await errorOf(nobodys);
    expect(a).toEqual({ message: "The model 'chat' does not exist or you do not have access to it.", type: 'invalid_request_error', param: 'model', code: 'model_not_found' });
    expect(b).toEqual({ ...a, message: a.message.replace("'chat'", "'no-such-model'") });

    // /v1/models/{id} answers the same way, and so do embeddings.
    const retrieve = await fetch(`${h.baseURL}/models/chat`, { headers: { authorization: `Bearer ${OTHER_KEY}` } });
    expect(await errorOf(retrieve)).toEqual(a);
    await expect(h.client(OTHER_KEY).embeddings.create({ model: 'embed', input: 'x' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(h.fake.requests).toHaveLength(0);
  });
});
