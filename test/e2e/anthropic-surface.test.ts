import { request } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Harness } from './harness.ts';
import { anthropicClient, KEY, postMessages, startAnthropicHarness } from './anthropic-harness.ts';

// The Anthropic SDK against POST /v1/messages: served by the mock, by an OpenAI-compatible
// target and by an Anthropic one, through the one pipeline; errors in Anthropic's envelope.

let h: Harness;
beforeAll(async () => {
  h = await startAnthropicHarness();
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

const weather = { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } };

describe('POST /v1/messages with the Anthropic SDK', () => {
  it('creates a message on the mock, with usage', async () => {
    const message = await anthropicClient(h).messages.create({ model: 'mock-chat', max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user', content: 'hello there' }] });
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.content).toEqual([{ type: 'text', text: 'Echo: hello there' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('streams a message from an OpenAI-compatible target as Anthropic events', async () => {
    h.fake.enqueue({ content: 'Streaming through the gateway.', chunks: 3, usage: { prompt_tokens: 11, completion_tokens: 6 } });
    const stream = anthropicClient(h).messages.stream({ model: 'gpt', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Streaming through the gateway.', citations: null }].map(({ citations: _, ...b }) => expect.objectContaining(b)));
    expect(final.usage.output_tokens).toBe(6);
    expect(final.usage.input_tokens).toBe(11);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(types).toContain('content_block_delta');
    // The OpenAI target was asked an OpenAI request, with usage for metering.
    const sent = h.fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.body.max_tokens).toBe(50);
    expect(sent.body.stream_options).toEqual({ include_usage: true });
  });

  it('uses tools: a tool call, then its result, on an OpenAI-compatible target', async () => {
    h.fake.enqueue({ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }, { name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
    const client = anthropicClient(h);
    const first = await client.messages.create({ model: 'gpt', max_tokens: 100, tools: [weather], tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'Weather in Paris and Oslo?' }] });
    expect(first.stop_reason).toBe('tool_use');
    const uses = first.content.filter((b) => b.type === 'tool_use');
    expect(uses.map((u) => u.input)).toEqual([{ city: 'Paris' }, { city: 'Oslo' }]);
    const sent = h.fake.requests.at(-1)!.body;
    expect(sent.tool_choice).toBe('required');
    expect(sent.tools[0]).toEqual({ type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: weather.input_schema } });

    h.fake.enqueue({ content: 'Sunny in Paris, snow in Oslo.' });
    const second = await client.messages.create({
      model: 'gpt',
      max_tokens: 100,
      tools: [weather],
      messages: [
        { role: 'user', content: 'Weather in Paris and Oslo?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [
          { type: 'tool_result', tool_use_id: uses[0]!.id, content: 'sunny' },
          { type: 'tool_result', tool_use_id: uses[1]!.id, content: [{ type: 'text', text: 'snow' }], is_error: false },
          { type: 'text', text: 'Summarise.' },
        ] },
      ],
    });
    expect(second.content[0]).toMatchObject({ type: 'text', text: 'Sunny in Paris, snow in Oslo.' });
    const messages = h.fake.requests.at(-1)!.body.messages;
    expect(messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'tool', 'tool', 'user']);
    expect(messages[1].tool_calls.map((c: { function: { arguments: string } }) => JSON.parse(c.function.arguments))).toEqual([{ city: 'Paris' }, { city: 'Oslo' }]);
    expect(messages[2]).toEqual({ role: 'tool', tool_call_id: uses[0]!.id, content: 'sunny' });
  });

  it('streams tool use from the mock, the input assembled from input_json deltas', async () => {
    const stream = anthropicClient(h).messages.stream({ model: 'mock-chat', max_tokens: 100, tools: [weather], tool_choice: { type: 'tool', name: 'get_weather' }, messages: [{ role: 'user', content: 'go' }] });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    const use = final.content.find((b) => b.type === 'tool_use');
    expect(use).toMatchObject({ type: 'tool_use', name: 'get_weather' });
    expect(typeof (use as { input: { city: unknown } }).input.city).toBe('string');
  });

  it('is served by an Anthropic target end to end (Anthropic in, Anthropic out)', async () => {
    h.fake.enqueue({ content: 'Claude here.', cacheTokens: { read: 30, write: 5 }, usage: { prompt_tokens: 10, completion_tokens: 4 } });
    const message = await anthropicClient(h).messages.create({ model: 'claude', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Claude here.' });
    // Cache reads survive the round trip; writes are counted as input.
    expect(message.usage).toMatchObject({ input_tokens: 15, output_tokens: 4, cache_read_input_tokens: 30 });
  });

  it('counts tokens without calling upstream', async () => {
    const client = anthropicClient(h);
    const short = await client.messages.countTokens({ model: 'gpt', messages: [{ role: 'user', content: 'hi' }] });
    const long = await client.messages.countTokens({ model: 'gpt', system: 'You are a careful assistant.', messages: [{ role: 'user', content: 'hi '.repeat(200) }] });
    expect(short.input_tokens).toBeGreaterThan(0);
    expect(long.input_tokens).toBeGreaterThan(short.input_tokens + 150);
    expect(h.fake.requests).toHaveLength(0);
  });

  it('accepts the key as a bearer token, and refuses two different keys', async () => {
    const body = { model: 'mock-chat', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] };
    expect((await postMessages(h, '/v1/messages', body, { authorization: `Bearer ${KEY}` })).status).toBe(200);
    expect((await postMessages(h, '/v1/messages', body, { authorization: `Bearer ${KEY}`, 'x-api-key': KEY })).status).toBe(200);
    const both = await postMessages(h, '/v1/messages', body, { authorization: 'Bearer tg-other', 'x-api-key': KEY });
    expect(both.status).toBe(400);
    expect(await both.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('different keys') } });
    // Two x-api-key headers: a proxy in front might read the other one.
    const twice = await rawPost(['host', new URL(h.gateway.url).host, 'x-api-key', KEY, 'x-api-key', 'tg-other', 'content-type', 'application/json', 'content-length', String(Buffer.byteLength(JSON.stringify(body)))], JSON.stringify(body));
    expect(twice.status).toBe(400);
    expect(JSON.parse(twice.body)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });
});

describe('errors on /v1/messages use Anthropic\'s envelope', () => {
  it('raises the SDK\'s own error classes', async () => {
    await expect(anthropicClient(h, 'tg-wrong').messages.create({ model: 'mock-chat', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(anthropicClient(h).messages.create({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    h.fake.enqueue({ status: 529 });
    const overloaded = await anthropicClient(h).messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(Anthropic.APIError);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).status).toBe(503);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
  });

  it('answers bad input with invalid_request_error naming the field, never a 5xx', async () => {
    const cases: Array<[unknown, string]> = [
      [{ model: 'mock-chat', messages: [{ role: 'user', content: 'x' }] }, 'max_tokens'],
      [{ model: 'mock-chat', max_tokens: 5 }, 'messages'],
      [{ model: 'mock-chat', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }, 'messages[0].content[0].type'],
      [{ model: 'mock-chat', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], tool_choice: { type: 'sometimes' } }, 'tool_choice.type'],
      [{ model: 'mock-chat', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'web_search_20250305', name: 'web' }] }, 'tools[0].type'],
      ['{"model": "mock-chat", "max_tokens": 5, "messages": [', 'JSON'],
    ];
    for (const [body, mention] of cases) {
      const response = await postMessages(h, '/v1/messages', body);
      expect(response.status).toBe(400);
      const error = (await response.json()) as { type: string; error: { type: string; message: string } };
      expect(error.type).toBe('error');
      expect(error.error.type).toBe('invalid_request_error');
      expect(error.error.message).toContain(mention);
    }
  });

  it('refuses hostile bodies before translating them: too large, too deep', async () => {
    const big = await postMessages(h, '/v1/messages', { model: 'mock-chat', max_tokens: 5, messages: [{ role: 'user', content: 'x'.repeat(100_000) }] });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
    const deep = await postMessages(h, '/v1/messages', `{"model":"mock-chat","max_tokens":5,"messages":[{"role":"user","content":"x"}],"metadata":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('keeps the OpenAI envelope on the OpenAI surface, and answers 405 in Anthropic\'s here', async () => {
    const openai = await h.post('/v1/chat/completions', { model: 'nope', messages: [{ role: 'user', content: 'x' }] }, { key: KEY });
    expect(((await openai.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
    const get = await fetch(`${h.gateway.url}/v1/messages`, { headers: { 'x-api-key': KEY } });
    expect(get.status).toBe(405);
    expect(((await get.json()) as { type: string }).type).toBe('error');
    const unknown = await postMessages(h, '/v1/messages/batches', {});
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('ends a stream that fails past the commit point with an Anthropic error event', async () => {
    h.fake.enqueue({ content: 'one two three four', chunks: 4, errorEventAfterChunks: 3 });
    const stream = anthropicClient(h).messages.stream({ model: 'gpt', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    const failure = await stream.finalMessage().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    // The raw wire: event names, no [DONE], the error in Anthropic's envelope.
    h.fake.enqueue({ content: 'one two three four', chunks: 4, errorEventAfterChunks: 3 });
    const raw = await (await postMessages(h, '/v1/messages', { model: 'gpt', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] })).text();
    expect(raw).toMatch(/^event: message_start\n/);
    expect(raw).not.toContain('[DONE]');
    expect(raw).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":".+"\}\}\n\n$/);
  });
});

/** A request with repeated headers, which fetch would merge into one. */
function rawPost(headers: string[], body: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(h.gateway.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: '/v1/messages', method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
