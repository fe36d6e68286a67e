import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, startHarness, UPSTREAM_KEY, type Harness } from './harness.ts';

// Every malformed request and every upstream failure gets an OpenAI-shaped error with the
// right status and code — never a 5xx for bad input, never a crash.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

const user = [{ role: 'user', content: 'hi' }];

describe('bad input is a 4xx naming the problem', () => {
  const cases: Array<[string, unknown, number, string, string | null]> = [
    ['malformed JSON', '{"model": "chat", "messages": [', 400, 'invalid_json', null],
    ['a JSON array', '[1,2]', 400, 'invalid_request', null],
    ['JSON null', 'null', 400, 'invalid_request', null],
    ['missing messages', { model: 'chat' }, 400, 'invalid_request', 'messages'],
    ['missing model', { messages: user }, 400, 'invalid_request', 'model'],
    ['empty model', { model: '', messages: user }, 400, 'invalid_request', 'model'],
    ['messages not an array', { model: 'chat', messages: 'hi' }, 400, 'invalid_request', 'messages'],
    ['empty messages', { model: 'chat', messages: [] }, 400, 'invalid_request', 'messages'],
    ['a bad role', { model: 'chat', messages: [{ role: 'wizard', content: 'x' }] }, 400, 'invalid_request', 'messages[0].role'],
    ['content of the wrong type', { model: 'chat', messages: [{ role: 'user', content: 5 }] }, 400, 'invalid_request', 'messages[0].content'],
    ['stream not a boolean', { model: 'chat', messages: user, stream: 'yes' }, 400, 'invalid_request', 'stream'],
    ['model of the wrong type', { model: 42, messages: user }, 400, 'invalid_request', 'model'],
    ['an absurdly long model name', { model: 'm'.repeat(5000), messages: user }, 400, 'invalid_request', 'model'],
    ['deeply nested JSON', '['.repeat(50_000), 400, 'invalid_request', null],
    ['a valid request nested 10,000 levels deep', `{"model":"chat","messages":[{"role":"user","content":"hi"}],"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 400, 'invalid_request', null],
    ['max_tokens too large to be a number', '{"model":"chat","messages":[{"role":"user","content":"hi"}],"max_tokens":1e400}', 400, 'invalid_request', 'max_tokens'],
    ['an infinite number in a field the gateway does not know', '{"model":"chat","messages":[{"role":"user","content":"hi"}],"vendor_x":{"a":[1,-1E999]}}', 400, 'invalid_request', 'vendor_x.a[1]'],
    ['n of 0', { model: 'chat', messages: user, n: 0 }, 400, 'invalid_request', 'n'],
    ['n of 129', { model: 'chat', messages: user, n: 129 }, 400, 'invalid_request', 'n'],
    ['negative max_tokens', { model: 'chat', messages: user, max_tokens: -1 }, 400, 'invalid_request', 'max_tokens'],
    ['max_tokens of 0', { model: 'chat', messages: user, max_tokens: 0 }, 400, 'invalid_request', 'max_tokens'],
    ['fractional max_completion_tokens', { model: 'chat', messages: user, max_completion_tokens: 1.5 }, 400, 'invalid_request', 'max_completion_tokens'],
    ['max_tokens beyond a safe integer', { model: 'chat', messages: user, max_tokens: 1e20 }, 400, 'invalid_request', 'max_tokens'],
    ['temperature above 2', { model: 'chat', messages: user, temperature: 2.5 }, 400, 'invalid_request', 'temperature'],
    ['negative temperature', { model: 'chat', messages: user, temperature: -0.1 }, 400, 'invalid_request', 'temperature'],
    ['top_p above 1', { model: 'chat', messages: user, top_p: 1.5 }, 400, 'invalid_request', 'top_p'],
    ['presence_penalty below -2', { model: 'chat', messages: user, presence_penalty: -3 }, 400, 'invalid_request', 'presence_penalty'],
    ['frequency_penalty above 2', { model: 'chat', messages: user, frequency_penalty: 2.5 }, 400, 'invalid_request', 'frequency_penalty'],
    ['a logit_bias beyond -100', { model: 'chat', messages: user, logit_bias: { '50256': -101 } }, 400, 'invalid_request', 'logit_bias.50256'],
    ['top_logprobs of 21', { model: 'chat', messages: user, logprobs: true, top_logprobs: 21 }, 400, 'invalid_request', 'top_logprobs'],
    ['a fractional seed', { model: 'chat', messages: user, seed: 1.5 }, 400, 'invalid_request', 'seed'],
    ['a string temperature', { model: 'chat', messages: user, temperature: 'hot' }, 400, 'invalid_request', 'temperature'],
    ['a tool without a name', { model: 'chat', messages: user, tools: [{ type: 'function', function: {} }] }, 400, 'invalid_request', 'tools[0].function.name'],
    ['too many messages', { model: 'chat', messages: Array.from({ length: 51 }, () => user[0]) }, 400, 'invalid_request', 'messages'],
    ['an unknown model', { model: 'nope', messages: user }, 404, 'model_not_found', 'model'],
    ['a model with no live provider', { model: 'keyless', messages: user }, 503, 'model_unavailable', 'model'],
  ];
  for (const [name, body, status, code, param] of cases) {
    it(`${name} → ${status} ${code}`, async () => {
      const res = await h.post('/v1/chat/completions', body);
      expect(res.status).toBe(status);
      const error = await errorOf(res);
      expect(error.code).toBe(code);
      expect(error.param).toBe(param);
      expect(h.fake.requests).toHaveLength(0);
    });
  }

  const embeddingCases: Array<[string, unknown, string]> = [
    ['no input', { model: 'embed' }, 'input'],
    ['input of the wrong type', { model: 'embed', input: 5 }, 'input'],
    ['an empty input array', { model: 'embed', input: [] }, 'input'],
    ['2049 inputs', { model: 'embed', input: Array.from({ length: 2049 }, () => 'x') }, 'input'],
    ['a token array of 8193 tokens', { model: 'embed', input: Array.from({ length: 8193 }, () => 1) }, 'input'],
    ['an empty token array among inputs', { model: 'embed', input: [[1, 2], []] }, 'input[1]'],
    ['a negative token id', { model: 'embed', input: [[1, 2], [-3]] }, 'input[1][0]'],
    ['a fractional token id', { model: 'embed', input: [1, 2.5] }, 'input[1]'],
    ['dimensions of 100,000,000', { model: 'embed', input: 'x', dimensions: 100_000_000 }, 'dimensions'],
    ['dimensions of -1', { model: 'embed', input: 'x', dimensions: -1 }, 'dimensions'],
    ['dimensions of 0', { model: 'embed', input: 'x', dimensions: 0 }, 'dimensions'],
    ['fractional dimensions', { model: 'embed', input: 'x', dimensions: 1.5 }, 'dimensions'],
    ['dimensions too large to be a number', '{"model":"embed","input":"x","dimensions":1e400}', 'dimensions'],
    ['an unknown encoding_format', { model: 'embed', input: 'x', encoding_format: 'hex' }, 'encoding_format'],
  ];
  for (const [name, body, param] of embeddingCases) {
    it(`embeddings with ${name} → 400 naming ${param}`, async () => {
      const res = await h.post('/v1/embeddings', body);
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'invalid_request', param });
      expect(h.fake.requests).toHaveLength(0);
    });
  }

  it('embeddings within every limit reach the provider untouched', async () => {
    const input = [Array.from({ length: 8192 }, (_, i) => i % 1000), [1, 2, 3]];
    const res = await h.post('/v1/embeddings', { model: 'embed', input, dimensions: 3072, encoding_format: 'base64', user: 'u-1' });
    expect(res.status).toBe(200);
    expect(h.fake.requests[0]!.body).toEqual({ model: 'fake-embedding', input, dimensions: 3072, encoding_format: 'base64', user: 'u-1' });
  });

  it('parameters at the edges of their ranges pass', async () => {
    const edges = { n: 128, max_tokens: 1, temperature: 2, top_p: 0, presence_penalty: -2, frequency_penalty: 2, logit_bias: { '1': 100, '2': -100 }, top_logprobs: 20, logprobs: true, seed: -5, max_completion_tokens: null };
    const res = await h.post('/v1/chat/completions', { model: 'chat', messages: user, ...edges });
    expect(res.status).toBe(200);
    expect(h.fake.requests[0]!.body).toMatchObject(edges);
  });

  it('a wrong content type → 400', async () => {
    const res = await h.post('/v1/chat/completions', JSON.stringify({ model: 'chat', messages: user }), { headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('invalid_content_type');
  });

  it('an oversized body → 413, declared or chunked', async () => {
    const big = { model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }] };
    const declared = await h.post('/v1/chat/completions', big);
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).code).toBe('request_too_large');

    const bytes = new TextEncoder().encode(JSON.stringify(big));
    const chunked = await fetch(`${h.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer tg-team-a-key' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.subarray(i, i + 8192));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await errorOf(chunked)).code).toBe('request_too_large');
  });

  it('a missing or unknown key → 401, before the body is looked at', async () => {
    const missing = await h.post('/v1/chat/completions', 'not json', { key: null });
    expect(missing.status).toBe(401);
    expect((await errorOf(missing)).code).toBe('invalid_api_key');
    const unknown = await h.post('/v1/chat/completions', { model: 'chat', messages: user }, { key: 'tg-wrong' });
    expect(unknown.status).toBe(401);
    await expect(new OpenAI({ baseURL: h.baseURL, apiKey: 'tg-wrong', maxRetries: 0 }).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('a model the tenant may not use → 404, as if it did not exist', async () => {
    const denied = h.client('tg-team-b-key').chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] });
    await expect(denied).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(denied).rejects.toMatchObject({ code: 'model_not_found', param: 'model' });
  });

  it('an unknown route → 404 envelope; a known route with the wrong method → 405', async () => {
    const res = await fetch(`${h.gateway.url}/v1/completions-typo`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('not_found');
    const wrongMethod = await fetch(`${h.gateway.url}/v1/chat/completions`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect((await errorOf(wrongMethod)).code).toBe('method_not_allowed');
  });

  it('never answers bad input with a 5xx, whatever the bytes', async () => {
    const ask = '{"model":"chat","messages":[{"role":"user","content":"hi"}]';
    const bodies = [
      '', '{', '""', '{"model":{}}', '{"messages":[null]}', '{"model":"chat","messages":[{"role":"user","content":[{"text":1}]}]}', '\u0000\u0001', '{"model":"chat","messages":[{}]}',
      `${ask},"max_tokens":1e400}`, `${ask},"n":-1e999}`, `${ask},"x":${'9'.repeat(400)}}`, `${ask},"n":-1}`, `${ask},"x":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
      `${ask},"x":${'['.repeat(2000)}}`, `${ask},"x":"\\\\\\"}`, `${ask},"x":"\\\\"[[[["}`, '{"":0,"":1,"model":"chat"}', `${ask},"stream":true,"stream_options":7}`,
      `${ask},"logit_bias":{"1":"a"}}`, `${ask},"tools":[{"type":"function","function":{"name":"f","parameters":${'['.repeat(100)}}}]}`,
    ];
    for (const path of ['/v1/chat/completions', '/v1/embeddings']) {
      for (const body of bodies) {
        const res = await h.post(path, body);
        expect(res.status, body.slice(0, 120)).toBeGreaterThanOrEqual(400);
        expect(res.status, body.slice(0, 120)).toBeLessThan(500);
        await errorOf(res);
      }
    }
    expect(h.fake.requests).toHaveLength(0);
  });
});

describe('upstream failures are relayed as OpenAI errors', () => {
  const call = () => h.post('/v1/chat/completions', { model: 'chat', messages: user });

  it('a 400 from the provider keeps its status, code, param and message', async () => {
    h.fake.enqueue({ status: 400, rawBody: JSON.stringify({ error: { message: 'too long', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } }) });
    const res = await call();
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toEqual({ message: 'too long', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' });
  });

  it('a provider 401 is a 502 that hides the provider message (it may quote the key)', async () => {
    h.fake.enqueue({ status: 401, rawBody: JSON.stringify({ error: { message: `Incorrect API key provided: ${UPSTREAM_KEY}`, code: 'invalid_api_key' } }) });
    const res = await call();
    expect(res.status).toBe(502);
    const error = await errorOf(res);
    expect(error.code).toBe('upstream_auth_failed');
    expect(JSON.stringify(error)).not.toContain(UPSTREAM_KEY);
  });

  it('a 429 keeps Retry-After', async () => {
    h.fake.enqueue({ status: 429, headers: { 'retry-after': '7' } });
    const res = await call();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    // The provider's own code is relayed (the fake says rate_limit_exceeded).
    expect((await errorOf(res)).code).toBe('rate_limit_exceeded');
  });

  it('5xx statuses map to 502, 503 and 504', async () => {
    for (const [upstream, status, code] of [[500, 502, 'upstream_error'], [502, 502, 'upstream_error'], [503, 503, 'upstream_unavailable'], [504, 504, 'upstream_timeout']] as const) {
      h.fake.enqueue({ status: upstream });
      const res = await call();
      expect(res.status, String(upstream)).toBe(status);
      expect((await errorOf(res)).code).toBe(code);
    }
  });

  it('odd error bodies (HTML, numeric code, empty, bare string) do not break the mapping', async () => {
    const bodies = ['<html><body><h1>502 Bad Gateway</h1></body></html>', '{"error":{"message":"bad","code":400}}', '', '{"error":"plain string"}', '{"detail":[{"msg":"field required"}]}'];
    for (const rawBody of bodies) {
      h.fake.enqueue({ status: 400, rawBody, contentType: 'text/html' });
      const res = await call();
      expect(res.status, rawBody).toBe(400);
      const error = await errorOf(res);
      expect(error.code, rawBody).toBe('invalid_request');
    }
    h.fake.enqueue({ status: 500, rawBody: '<html>oops</html>', contentType: 'text/html' });
    const res = await call();
    expect(res.status).toBe(502);
    expect((await errorOf(res)).message).toContain('oops');
  });

  it('a 200 with a body that is not JSON, or is cut off, is a 502', async () => {
    h.fake.enqueue({ rawBody: 'not json at all', contentType: 'application/json' });
    expect((await call()).status).toBe(502);
    h.fake.enqueue({ cutAfterChunks: 1 });
    const cut = await call();
    expect(cut.status).toBe(502);
    expect((await errorOf(cut)).code).toBe('upstream_error');
  });

  it('a provider that cannot be reached is a 502', async () => {
    const res = await h.post('/v1/chat/completions', { model: 'unreachable', messages: user });
    expect(res.status).toBe(502);
    expect((await errorOf(res)).code).toBe('upstream_error');
  });

  it('a provider that does not answer in time is a 504, and the upstream call is cancelled', async () => {
    h.fake.enqueue({ hang: true });
    const res = await h.post('/v1/chat/completions', { model: 'quick', messages: user });
    expect(res.status).toBe(504);
    expect((await errorOf(res)).code).toBe('upstream_timeout');
    expect((await h.fake.waitForAbort(2000)).aborted).toBe(true);
  });

  it('the SDK sees the right error classes', async () => {
    h.fake.enqueue({ status: 429 });
    await expect(h.client().chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    h.fake.enqueue({ status: 500 });
    await expect(h.client().chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.InternalServerError);
  });
});
