import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Harness } from './harness.ts';
import { CLAUDE_KEY, KEY, startAnthropicHarness } from './anthropic-harness.ts';

// The openai SDK against an Anthropic-shaped target (kind: anthropic): the request is
// translated to the Messages API and the answer back, streaming and not, with tools, faults
// and a fallback from a failing OpenAI-compatible target.

let h: Harness;
beforeAll(async () => {
  h = await startAnthropicHarness();
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

const client = () => h.client(KEY);
const weather = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const time = { type: 'function' as const, function: { name: 'get_time', description: 'Time in a zone', parameters: { type: 'object', properties: { zone: { type: 'string' } } } } };

describe('an OpenAI client served by an Anthropic target', () => {
  it('translates the request (system, images, stops, sampling, default max_tokens) and the headers', async () => {
    h.fake.enqueue({ content: 'A cat.', usage: { prompt_tokens: 20, completion_tokens: 3 }, cacheTokens: { read: 100, write: 7 } });
    const completion = await client().chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: 'Answer in English.' },
        { role: 'user', content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ] },
      ],
      stop: ['END'],
      temperature: 1.5,
      top_p: 0.9,
      user: 'u-42',
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content).toBe('A cat.');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 127, completion_tokens: 3, total_tokens: 130, prompt_tokens_details: { cached_tokens: 100 } });

    const sent = h.fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe(CLAUDE_KEY);
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31,token-efficient-tools-2025-02-19');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 777,
      system: [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'Answer in English.' }],
      messages: [{ role: 'user', content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
      ] }],
      stop_sequences: ['END'],
      temperature: 1,
      top_p: 0.9,
      metadata: { user_id: 'u-42' },
    });
  });

  it('maps tools, tool_choice, parallel calls and tool results both ways', async () => {
    h.fake.enqueue({ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }, { name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
    const first = await client().chat.completions.create({ model: 'claude', max_tokens: 300, tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false, messages: [{ role: 'user', content: 'Weather?' }] });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const calls = choice.message.tool_calls!.filter((c) => c.type === 'function');
    expect(calls.map((c) => JSON.parse(c.function.arguments))).toEqual([{ city: 'Paris' }, { city: 'Oslo' }]);
    let sent = h.fake.requests.at(-1)!.body;
    expect(sent.max_tokens).toBe(300);
    expect(sent.tools).toEqual([{ name: 'get_weather', description: 'Weather for a city', input_schema: weather.function.parameters }]);
    expect(sent.tool_choice).toEqual({ type: 'tool', name: 'get_weather', disable_parallel_tool_use: true });

    h.fake.enqueue({ content: 'Sunny and snowy.' });
    await client().chat.completions.create({
      model: 'claude',
      tools: [weather],
      tool_choice: 'required',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: choice.message.tool_calls },
        { role: 'tool', tool_call_id: calls[0]!.id, content: 'sunny' },
        { role: 'tool', tool_call_id: calls[1]!.id, content: 'snow' },
      ],
    });
    sent = h.fake.requests.at(-1)!.body;
    expect(sent.tool_choice).toEqual({ type: 'any' });
    expect(sent.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      { role: 'assistant', content: calls.map((c) => ({ type: 'tool_use', id: c.id, name: 'get_weather', input: JSON.parse(c.function.arguments) })) },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: calls[0]!.id, content: 'sunny' }, { type: 'tool_result', tool_use_id: calls[1]!.id, content: 'snow' }] },
    ]);
  });

  it('streams text as chat.completion.chunk events with a final usage chunk', async () => {
    h.fake.enqueue({ content: 'Hello from the stream.', chunks: 4, usage: { prompt_tokens: 9, completion_tokens: 5 } });
    const stream = await client().chat.completions.create({ model: 'claude', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    let finish: string | null = null;
    let usage;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello from the stream.');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 });
    expect(h.fake.requests.at(-1)!.body.stream).toBe(true);
  });

  it('streams parallel tool calls with their deltas indexed in order', async () => {
    h.fake.enqueue({ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }, { name: 'get_time', arguments: '{"zone":"CET"}' }], chunks: 3 });
    const stream = client().chat.completions.stream({ model: 'claude', tools: [weather, time], messages: [{ role: 'user', content: 'Weather and time?' }] });
    const final = await stream.finalChatCompletion();
    const calls = final.choices[0]!.message.tool_calls!.filter((c) => c.type === 'function');
    expect(calls.map((c) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual([['get_weather', { city: 'Paris' }], ['get_time', { zone: 'CET' }]]);
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('maps the stop reasons', async () => {
    for (const [stopReason, finish] of [['max_tokens', 'length'], ['stop_sequence', 'stop'], ['refusal', 'content_filter']] as const) {
      h.fake.enqueue({ content: 'x', stopReason });
      const completion = await client().chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] });
      expect(completion.choices[0]!.finish_reason).toBe(finish);
    }
  });
});

describe('faults from an Anthropic target', () => {
  it('maps its errors to the OpenAI envelope and status', async () => {
    const cases: Array<[number, number, string]> = [[400, 400, 'invalid_request'], [401, 502, 'upstream_auth_failed'], [429, 429, 'upstream_rate_limited'], [500, 502, 'upstream_error'], [529, 503, 'upstream_unavailable']];
    for (const [status, expected, code] of cases) {
      h.fake.enqueue({ status });
      const response = await h.post('/v1/chat/completions', { model: 'claude', messages: [{ role: 'user', content: 'hi' }] }, { key: KEY });
      expect(response.status).toBe(expected);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe(code);
      expect(error.message).not.toContain(CLAUDE_KEY);
    }
  });

  it('relays a prompt too long as context_length_exceeded', async () => {
    h.fake.enqueue({ status: 400, rawBody: JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' } }) });
    const response = await h.post('/v1/chat/completions', { model: 'claude', messages: [{ role: 'user', content: 'hi' }] }, { key: KEY });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('context_length_exceeded');
  });

  it('retries an overloaded answer (HTTP 529, or an error event before the first content)', async () => {
    h.fake.enqueue({ status: 529 });
    h.fake.enqueue({ content: 'Recovered.' });
    const completion = await client().chat.completions.create({ model: 'claude-retry', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]!.message.content).toBe('Recovered.');
    h.fake.enqueue({ errorEventAfterChunks: 0 });
    h.fake.enqueue({ content: 'Recovered again.' });
    const stream = client().chat.completions.stream({ model: 'claude-retry', messages: [{ role: 'user', content: 'hi' }] });
    expect((await stream.finalChatCompletion()).choices[0]!.message.content).toBe('Recovered again.');
    // After message_start and ping, before any content: still before the commit point.
    h.fake.enqueue({ errorEventAfterChunks: 2 });
    h.fake.enqueue({ content: 'Third time.' });
    const late = client().chat.completions.stream({ model: 'claude-retry', messages: [{ role: 'user', content: 'hi' }] });
    expect((await late.finalChatCompletion()).choices[0]!.message.content).toBe('Third time.');
    expect(h.fake.requests).toHaveLength(6);
  });

  it('ends a stream cut or failing past the commit point with our SSE error event', async () => {
    h.fake.enqueue({ content: 'one two three four', chunks: 4, errorEventAfterChunks: 4 });
    let response = await h.post('/v1/chat/completions', { model: 'claude', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { key: KEY });
    let text = await response.text();
    expect(text).not.toContain('[DONE]');
    expect(text).toMatch(/data: \{"error":\{"message":"Provider \\"claude\\" is overloaded[^}]*"type":"service_unavailable_error","param":null,"code":"upstream_unavailable"\}\}\n\n$/);
    // No message_stop: incomplete, not a finished answer.
    h.fake.enqueue({ content: 'one two', endWithoutDone: true });
    response = await h.post('/v1/chat/completions', { model: 'claude', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { key: KEY });
    text = await response.text();
    expect(text).toContain('without message_stop');
    expect(text).not.toContain('[DONE]');
  });

  it('refuses what the Messages API cannot express with a 400, before calling it', async () => {
    for (const [body, param] of [
      [{ n: 2 }, 'n'],
      [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: '', format: 'wav' } }] }] }, 'messages[0].content[0]'],
      [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] }] }, 'messages[0].content[0].image_url.url'],
      [{ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{not json' } }] }] }, 'messages[1].tool_calls[0].function.arguments'],
    ] as const) {
      const response = await h.post('/v1/chat/completions', { model: 'claude', messages: [{ role: 'user', content: 'hi' }], ...body }, { key: KEY });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { param: string } }).error.param).toBe(param);
    }
    expect(h.fake.requests).toHaveLength(0);
  });

  it('refuses an answer larger than maxResponseBytes (a body or one stream event), and one that is not a message', async () => {
    h.fake.enqueue({ hugeBody: { bytes: 200_000, declareLength: false } });
    let response = await h.post('/v1/chat/completions', { model: 'claude-small', messages: [{ role: 'user', content: 'hi' }] }, { key: KEY });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_response_too_large');

    h.fake.enqueue({ giantSseLine: { bytes: 100_000 } });
    response = await h.post('/v1/chat/completions', { model: 'claude-small', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { key: KEY });
    expect(await response.text()).toContain('upstream_response_too_large');

    h.fake.enqueue({ rawBody: '{"type":"completion","completion":"x"}' });
    response = await h.post('/v1/chat/completions', { model: 'claude', messages: [{ role: 'user', content: 'hi' }] }, { key: KEY });
    expect(response.status).toBe(502);
  });

  it('leaves a provider without its key variable disabled', async () => {
    const response = await h.post('/v1/chat/completions', { model: 'claude-keyless', messages: [{ role: 'user', content: 'hi' }] }, { key: KEY });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('model_unavailable');
  });
});

describe('fallback across providers', () => {
  it('falls from a failing OpenAI-compatible target to an Anthropic one, streaming and not', async () => {
    h.fake.enqueue({ content: 'Served by Claude.' });
    const response = await h.post('/v1/chat/completions', { model: 'cross', messages: [{ role: 'user', content: 'hi' }] }, { key: KEY });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-tollgate-model')).toBe('claude/claude-haiku-4-5');
    expect(response.headers.get('x-tollgate-attempts')).toContain('nowhere/gpt-4o');
    expect(((await response.json()) as OpenAI.ChatCompletion).choices[0]!.message.content).toBe('Served by Claude.');

    h.fake.enqueue({ content: 'Streamed by Claude.' });
    const stream = client().chat.completions.stream({ model: 'cross', messages: [{ role: 'user', content: 'hi' }] });
    expect((await stream.finalChatCompletion()).choices[0]!.message.content).toBe('Streamed by Claude.');
    expect(h.fake.requests.map((r) => r.path)).toEqual(['/v1/messages', '/v1/messages']);
  });
});
