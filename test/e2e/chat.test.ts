import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OTHER_KEY, startHarness, UPSTREAM_KEY, type Harness } from './harness.ts';

// The happy paths, driven by the official openai SDK through the real server.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

const lastUpstream = () => h.fake.requests.at(-1)!;

describe('chat completions', () => {
  it('returns the completion and forwards every request field untouched', async () => {
    const extra = {
      tool_choice: 'auto',
      parallel_tool_calls: true,
      response_format: { type: 'json_object' },
      seed: 7,
      logprobs: true,
      top_logprobs: 2,
      stop: ['END'],
      n: 1,
      user: 'user-42',
      metadata: { run: 'abc' },
      reasoning_effort: 'low',
      max_completion_tokens: 77,
      some_future_field: { nested: [1, 2, 3] },
    };
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
    const completion = await h.client().chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'hi' }],
      tools,
      ...(extra as object),
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content).toBeTruthy();
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);

    const sent = lastUpstream();
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.body.model).toBe('fake-model');
    expect(sent.body.tools).toEqual(tools);
    for (const [key, value] of Object.entries(extra)) expect(sent.body[key], key).toEqual(value);
    expect(sent.body.stream_options).toBeUndefined();
  });

  it('authenticates upstream with the provider key, never the client key', async () => {
    const { response } = await h.client().chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }).withResponse();
    const sent = lastUpstream();
    expect(sent.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(sent.headers['x-extra-header']).toBe('extra-value');
    expect(sent.headers['user-agent']).toMatch(/^tollgate\/\d+\.\d+\.\d+$/);
    expect(sent.headers['x-request-id']).toBe(response.headers.get('x-request-id'));
  });

  it('streams and always asks upstream for usage, but only sends it to clients that asked', async () => {
    h.fake.setDefault({ content: 'one two three four', chunks: 4 });
    const stream = await h.client().chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'count' }] });
    let text = '';
    let sawUsage = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) sawUsage = true;
    }
    expect(text).toBe('one two three four');
    expect(sawUsage).toBe(false);
    expect(lastUpstream().body.stream_options).toEqual({ include_usage: true });
  });

  it('relays the usage chunk to a client that asked for it', async () => {
    h.fake.setDefault({ usage: { prompt_tokens: 11, completion_tokens: 5 } });
    const stream = await h.client().chat.completions.create({
      model: 'chat',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'x' }],
    });
    const usages = [];
    for await (const chunk of stream) if (chunk.usage) usages.push(chunk.usage);
    expect(usages).toEqual([expect.objectContaining({ prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 })]);
  });

  it('meters streams from the upstream usage chunk', async () => {
    h.fake.setDefault({ usage: { prompt_tokens: 21, completion_tokens: 9 } });
    const { response } = await h.client().chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'x' }] }).withResponse();
    await response.text();
    const line = await h.logFor(response.headers.get('x-request-id')!);
    expect(line).toMatchObject({ status: 200, tenant: 'team-a', alias: 'chat', provider: 'fake', model: 'fake-model', promptTokens: 21, completionTokens: 9, usageSource: 'upstream', stream: true });
  });

  it('round-trips parallel tool calls, JSON and streamed', async () => {
    const calls = [
      { name: 'get_weather', arguments: '{"city":"Paris"}' },
      { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' },
    ];
    h.fake.setDefault({ toolCalls: calls });
    const request = {
      model: 'chat',
      messages: [{ role: 'user' as const, content: 'weather and time in Paris?' }],
      tools: calls.map((c) => ({ type: 'function' as const, function: { name: c.name, parameters: { type: 'object' } } })),
    };
    const completion = await h.client().chat.completions.create(request);
    const made = completion.choices[0]!.message.tool_calls!.map((t) => (t.type === 'function' ? t.function : undefined));
    expect(made).toEqual(calls);
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');

    const runner = h.client().chat.completions.stream({ ...request, stream: true });
    const final = await runner.finalChatCompletion();
    const streamed = final.choices[0]!.message.tool_calls!.map((t) => (t.type === 'function' ? { name: t.function.name, arguments: t.function.arguments } : undefined));
    expect(streamed).toEqual(calls);

    // The tool results go back up untouched.
    await h.client().chat.completions.create({
      ...request,
      messages: [
        ...request.messages,
        { role: 'assistant', content: null, tool_calls: completion.choices[0]!.message.tool_calls! },
        { role: 'tool', tool_call_id: completion.choices[0]!.message.tool_calls![0]!.id, content: '18C' },
      ],
    });
    expect(lastUpstream().body.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: completion.choices[0]!.message.tool_calls![0]!.id, content: '18C' });
  });

  it('serves the built-in mock provider with no upstream at all', async () => {
    const completion = await h.client().chat.completions.create({ model: 'mock-chat', messages: [{ role: 'user', content: 'ping' }] });
    expect(completion.choices[0]!.message.content).toBe('Echo: ping');
    expect(h.fake.requests).toHaveLength(0);
  });
});

describe('embeddings and models', () => {
  it('returns embeddings (the SDK asks for base64 and decodes it)', async () => {
    const result = await h.client().embeddings.create({ model: 'embed', input: ['a', 'b'], dimensions: 12 });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]!.embedding).toHaveLength(12);
    expect(result.data[0]!.embedding.every((x) => Number.isFinite(x))).toBe(true);
    expect(lastUpstream().path).toBe('/v1/embeddings');
    expect(lastUpstream().body).toMatchObject({ model: 'fake-embedding', input: ['a', 'b'], dimensions: 12 });
  });

  it('lists only the live models this key may use', async () => {
    const teamA = (await h.client().models.list()).data.map((m) => m.id).sort();
    expect(teamA).toEqual(['chat', 'embed', 'mock-chat', 'quick', 'strict', 'strict-embed', 'unreachable', 'vendor/with-slash']);
    const teamB = (await h.client(OTHER_KEY).models.list()).data.map((m) => m.id);
    expect(teamB).toEqual(['mock-chat']);
  });

  it('retrieves one model, including names with a slash', async () => {
    expect((await h.client().models.retrieve('vendor/with-slash')).id).toBe('vendor/with-slash');
    await expect(h.client(OTHER_KEY).models.retrieve('chat')).rejects.toMatchObject({ status: 404 });
  });
});

describe('request ids and logs', () => {
  it('honours an incoming x-request-id and generates one otherwise', async () => {
    const given = await h.post('/v1/chat/completions', { model: 'mock-chat', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const made = await h.post('/v1/chat/completions', { model: 'mock-chat', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-request-id': 'bad id\twith tab' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const health = await fetch(`${h.gateway.url}/healthz`);
    expect(health.headers.get('x-request-id')).toBeTruthy();
  });

  it('logs tenant, alias, provider, model, status, tokens and latency, and never a key', async () => {
    const res = await h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'x' }] });
    const line = await h.logFor(res.headers.get('x-request-id')!);
    expect(line).toMatchObject({ tenant: 'team-a', alias: 'chat', provider: 'fake', model: 'fake-model', status: 200, usageSource: 'upstream' });
    expect(line.latencyMs).toEqual(expect.any(Number));
    expect(line.promptTokens).toEqual(expect.any(Number));
    const everything = JSON.stringify(h.logs);
    expect(everything).not.toContain(UPSTREAM_KEY);
    expect(everything).not.toContain('tg-team-a-key');
  });
});

describe('health', () => {
  it('healthz is always 200; readyz turns 503 while draining', async () => {
    expect((await fetch(`${h.gateway.url}/readyz`)).status).toBe(200);
    h.gateway.lifecycle.draining = true;
    try {
      const draining = await fetch(`${h.gateway.url}/readyz`);
      expect(draining.status).toBe(503);
      expect(await draining.json()).toEqual({ status: 'draining' });
      expect((await fetch(`${h.gateway.url}/healthz`)).status).toBe(200);
    } finally {
      h.gateway.lifecycle.draining = false;
    }
  });
});
