import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { errorOf, OTHER_KEY, sseData, startHarness, TEAM_KEY, UPSTREAM_KEY, type Harness } from './harness.ts';

// The Responses API end to end with the openai SDK: translated over chat (the mock provider
// and a chat-only fake target) and relayed to a target that speaks it natively; stored
// conversations scoped to their tenant.

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    config: (fake) => `
server: { host: 127.0.0.1, port: 0 }
logging: { level: info }
providers:
  chat-only: { kind: openai, baseUrl: ${fake}, apiKey: ${UPSTREAM_KEY} }
  native: { kind: openai, baseUrl: ${fake}, apiKey: ${UPSTREAM_KEY}, responses: native }
  mock: { kind: mock }
models:
  translated: { targets: [{ provider: chat-only, model: fake-model }], retries: 0, breaker: false }
  native: { targets: [{ provider: native, model: native-model }], retries: 0, breaker: false }
  mock-chat: { targets: [{ provider: mock, model: mock-1 }] }
tenants:
  team-a: { keys: ["${hashKey(TEAM_KEY)}"], models: ["*"] }
  team-b: { keys: ["${hashKey(OTHER_KEY)}"], models: ["*"] }
`,
  });
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

const tools = [{ type: 'function' as const, name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: true }];

describe('translated targets', () => {
  it('answers on the mock provider, keeps the conversation, and serves retrieve, input_items and delete', async () => {
    const client = h.client();
    const first = await client.responses.create({ model: 'mock-chat', input: 'hello there', instructions: 'Be brief.' });
    expect(first.object).toBe('response');
    expect(first.status).toBe('completed');
    expect(first.id).toMatch(/^resp_/);
    expect(first.output_text).toBe('Echo: hello there');
    expect(first.usage!.input_tokens).toBeGreaterThan(0);
    expect(first.usage!.total_tokens).toBe(first.usage!.input_tokens + first.usage!.output_tokens);

    const second = await client.responses.create({ model: 'mock-chat', input: 'and again', previous_response_id: first.id });
    expect(second.output_text).toBe('Echo: and again');
    expect(second.previous_response_id).toBe(first.id);
    // The stored history was sent: more prompt tokens than the second input alone.
    expect(second.usage!.input_tokens).toBeGreaterThan(first.usage!.input_tokens);

    const retrieved = await client.responses.retrieve(first.id);
    expect(retrieved.output_text).toBe('Echo: hello there');
    const items = await client.responses.inputItems.list(second.id);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'and again' }] });

    await client.responses.delete(first.id);
    await expect(client.responses.retrieve(first.id)).rejects.toMatchObject({ status: 404 });
    // A deleted previous response cannot be continued from.
    await expect(client.responses.create({ model: 'mock-chat', input: 'x', previous_response_id: first.id })).rejects.toMatchObject({ status: 404 });
  });

  it('does not store a response asked with store: false', async () => {
    const response = await h.client().responses.create({ model: 'mock-chat', input: 'ephemeral', store: false });
    expect((response as unknown as { store: boolean }).store).toBe(false);
    await expect(h.client().responses.retrieve(response.id)).rejects.toMatchObject({ status: 404 });
  });

  it('translates input items, instructions, flat tools and limits into the chat request', async () => {
    h.fake.enqueue({ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    const response = await h.client().responses.create({
      model: 'translated',
      instructions: 'You are terse.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Weather?' }, { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto' }] },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
      ],
      tools,
      tool_choice: 'required',
      parallel_tool_calls: false,
      max_output_tokens: 77,
      temperature: 0.2,
      top_p: 0.9,
      user: 'u-1',
      text: { format: { type: 'json_schema', name: 'weather', schema: { type: 'object' }, strict: true } },
    });
    const sent = h.fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.body).toMatchObject({
      model: 'fake-model',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'auto' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: tools[0]!.parameters, strict: true } }],
      tool_choice: 'required',
      parallel_tool_calls: false,
      max_completion_tokens: 77,
      temperature: 0.2,
      top_p: 0.9,
      user: 'u-1',
      response_format: { type: 'json_schema', json_schema: { name: 'weather', schema: { type: 'object' }, strict: true } },
    });
    expect(response.output).toHaveLength(1);
    expect(response.output[0]).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"Paris"}', call_id: 'call_fake1_0_0', status: 'completed' });
  });

  it('streams the documented event sequence with sequence numbers, and stores the result', async () => {
    h.fake.enqueue({ content: 'Streaming words here', chunks: 3 });
    const stream = h.client().responses.stream({ model: 'translated', input: 'stream please' });
    const types: string[] = [];
    const sequence: number[] = [];
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
    }
    const final = await stream.finalResponse();
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.filter((t) => t === 'response.output_text.delta').length).toBeGreaterThanOrEqual(2);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    expect(sequence).toEqual(sequence.map((_, i) => i));
    expect(final.output_text).toBe('Streaming words here');
    expect(final.usage!.output_tokens).toBeGreaterThan(0);
    expect((await h.client().responses.retrieve(final.id)).output_text).toBe('Streaming words here');
  });

  it('streams function calls as argument deltas', async () => {
    h.fake.enqueue({ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
    const stream = h.client().responses.stream({ model: 'translated', input: 'weather', tools });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toContain('response.function_call_arguments.delta');
    expect(types).toContain('response.function_call_arguments.done');
    const final = await stream.finalResponse();
    expect(final.output[0]).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"Oslo"}' });
  });

  it('ends a translated stream cut past its commit point with response.failed and an error, never [DONE]', async () => {
    h.fake.enqueue({ cutAfterChunks: 2 });
    const response = await h.post('/v1/responses', { model: 'translated', input: 'x', stream: true });
    const events = await sseData(response);
    const types = events.map((e) => (JSON.parse(e) as { type?: string }).type);
    expect(types).toContain('response.failed');
    expect(JSON.parse(events.at(-1)!)).toHaveProperty('error');
    expect(events).not.toContain('[DONE]');
  });

  it('cancels the upstream call when the client goes away mid-stream', async () => {
    h.fake.enqueue({ endless: true, chunkDelayMs: 20 });
    const response = await h.post('/v1/responses', { model: 'translated', input: 'x', stream: true });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    const aborted = await h.fake.waitForAbort();
    expect(aborted.path).toBe('/v1/chat/completions');
  });

  it('reports a length cut as incomplete', async () => {
    h.fake.enqueue({ rawBody: JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'fake-model', choices: [{ index: 0, message: { role: 'assistant', content: 'cut' }, finish_reason: 'length' }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }) });
    const response = await h.client().responses.create({ model: 'translated', input: 'long', max_output_tokens: 1 });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });

  it('refuses, naming it, what chat cannot do: built-in tools, background, unknown items', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ tools: [{ type: 'web_search' }] }, 'tools[0].type'],
      [{ background: true }, 'background'],
      [{ input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0].type'],
      [{ previous_response_id: 'resp_unknown' }, 'previous_response_id'],
    ];
    for (const [extra, param] of cases) {
      const response = await h.post('/v1/responses', { model: 'translated', input: 'hi', ...extra });
      expect(response.status, param).toBeGreaterThanOrEqual(400);
      expect(response.status, param).toBeLessThan(500);
      const error = await errorOf(response);
      expect(error.param).toBe(param);
    }
    expect(h.fake.requests).toHaveLength(0);
  });

  it('checks parameters before spending anything', async () => {
    const bad = await h.post('/v1/responses', { model: 'translated', input: 'x', temperature: 9 });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).param).toBe('temperature');
    const unknownModel = await h.post('/v1/responses', { model: 'nope', input: 'x' });
    expect(unknownModel.status).toBe(404);
    const noKey = await h.post('/v1/responses', { model: 'translated', input: 'x' }, { key: null });
    expect(noKey.status).toBe(401);
  });
});

describe('native targets', () => {
  it('relays the request untouched except model, and meters usage from the answer', async () => {
    const body = { model: 'native', input: [{ role: 'user', content: 'hi' }], tools: [{ type: 'web_search' }], include: ['reasoning.encrypted_content'] };
    const response = await h.post('/v1/responses', body, { headers: { 'x-request-id': 'native-json' } });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { id: string; output: Array<{ content: Array<{ text: string }> }> };
    expect(answer.id).toMatch(/^resp_fake\d+$/);
    expect(answer.output[0]!.content[0]!.text).toBe('Hello from the fake Responses API.');
    const sent = h.fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1/responses');
    expect(sent.body).toEqual({ ...body, model: 'native-model' });
    const log = await h.logFor('native-json');
    expect(log).toMatchObject({ endpoint: 'responses', model: 'native-model', usageSource: 'upstream' });
    expect(log.promptTokens).toBeGreaterThan(0);
  });

  it('relays the semantic stream and meters from response.completed', async () => {
    h.fake.enqueue({ usage: { prompt_tokens: 11, completion_tokens: 7 } });
    const stream = h.client().responses.stream({ model: 'native', input: 'stream' }, { headers: { 'x-request-id': 'native-stream' } });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Hello from the fake Responses API.');
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    const log = await h.logFor('native-stream');
    expect(log).toMatchObject({ promptTokens: 11, completionTokens: 7, usageSource: 'upstream' });
  });

  it('relays each event with its SSE event name, translated and native alike', async () => {
    for (const model of ['native', 'translated']) {
      const text = await (await h.post('/v1/responses', { model, input: 'x', stream: true })).text();
      expect(text, model).toMatch(/^event: response\.created\ndata: \{"type":"response\.created"/);
      expect(text, model).toContain('event: response.completed\ndata: {"type":"response.completed"');
    }
  });

  it('ends a native stream that fails past its commit point with an error', async () => {
    h.fake.enqueue({ errorEventAfterChunks: 3 });
    const stream = h.client().responses.stream({ model: 'native', input: 'x' });
    await expect(async () => {
      for await (const _ of stream) void _;
    }).rejects.toThrow();
  });

  it('relays an upstream error status as the gateway error envelope', async () => {
    h.fake.enqueue({ status: 400 });
    const response = await h.post('/v1/responses', { model: 'native', input: 'x' });
    expect(response.status).toBe(400);
    await errorOf(response);
  });
});

describe('stored responses are scoped to their tenant', () => {
  it('answers 404 for another tenant id, and never its content', async () => {
    const mine = await h.client(TEAM_KEY).responses.create({ model: 'mock-chat', input: 'team a secret' });
    const other = h.client(OTHER_KEY);
    await expect(other.responses.retrieve(mine.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.inputItems.list(mine.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.delete(mine.id)).rejects.toMatchObject({ status: 404 });
    const stolen = await h.post('/v1/responses', { model: 'mock-chat', input: 'repeat', previous_response_id: mine.id }, { key: OTHER_KEY });
    expect(stolen.status).toBe(404);
    expect(await stolen.text()).not.toContain('team a secret');
    // Still there for its owner.
    expect((await h.client(TEAM_KEY).responses.retrieve(mine.id)).output_text).toBe('Echo: team a secret');
  });
});
