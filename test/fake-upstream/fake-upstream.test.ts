// Exercises the fake through the official openai SDK, so its shapes are checked by a real client.
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONTENT, startFakeUpstream, type FakeUpstream } from './index.ts';

let fake: FakeUpstream;
let client: OpenAI;
const messages = [{ role: 'user' as const, content: 'Say hello' }];

beforeAll(async () => {
  fake = await startFakeUpstream();
  // No retries: the SDK would otherwise honour retry-after and slow the suite down.
  client = new OpenAI({ baseURL: fake.url, apiKey: 'sk-test-key', maxRetries: 0 });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('chat completions', () => {
  it('answers a non-streaming request in the OpenAI shape and records it', async () => {
    const res = await client.chat.completions.create({ model: 'gpt-test', messages, temperature: 0.2 });
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('gpt-test');
    expect(res.choices[0]?.message).toEqual({ role: 'assistant', content: DEFAULT_CONTENT, refusal: null, annotations: [] });
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage?.total_tokens).toBe((res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0));

    const [recorded] = fake.requests;
    expect(recorded?.method).toBe('POST');
    expect(recorded?.path).toBe('/v1/chat/completions');
    expect(recorded?.headers.authorization).toBe('Bearer sk-test-key');
    expect(recorded?.body).toMatchObject({ model: 'gpt-test', temperature: 0.2, messages });
    expect(recorded?.aborted).toBe(false);
  });

  it('streams content, then a usage chunk when include_usage is set', async () => {
    fake.enqueue({ content: 'abcdefgh', chunks: 4, usage: { prompt_tokens: 11, completion_tokens: 3 } });
    const stream = await client.chat.completions.create({
      model: 'gpt-test',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('abcdefgh');
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(fake.requests[0]?.body.stream_options).toEqual({ include_usage: true });
  });

  it('sends no usage chunk without include_usage', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-test', messages, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1 && !('usage' in c))).toBe(true);
  });

  it('streams parallel tool calls whose arguments reassemble exactly', async () => {
    const toolCalls = [
      { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
      { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' },
    ];
    fake.enqueue({ toolCalls, chunks: 3 });
    const stream = await client.chat.completions.create({ model: 'gpt-test', messages, stream: true });
    const calls: Array<{ id?: string; name?: string; arguments: string }> = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      finish = choice?.finish_reason ?? finish;
      for (const delta of choice?.delta.tool_calls ?? []) {
        const call = (calls[delta.index] ??= { arguments: '' });
        if (delta.id) call.id = delta.id;
        if (delta.function?.name) call.name = delta.function.name;
        call.arguments += delta.function?.arguments ?? '';
      }
    }
    expect(calls.map((c) => ({ name: c.name, arguments: c.arguments }))).toEqual(toolCalls);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
    expect(finish).toBe('tool_calls');
  });

  it('answers tool calls without streaming, content null', async () => {
    fake.enqueue({ toolCalls: [{ name: 'lookup', arguments: '{}' }] });
    const res = await client.chat.completions.create({ model: 'gpt-test', messages });
    const message = res.choices[0]?.message;
    expect(message?.content).toBeNull();
    expect(message?.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'lookup', arguments: '{}' } });
    expect(res.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('honours n and consumes queued behaviours FIFO, then the default', async () => {
    fake.setDefault({ content: 'default' });
    fake.enqueue({ content: 'first' }, 2);
    fake.enqueue({ content: 'second' });
    const texts = [];
    for (let i = 0; i < 4; i++) {
      const res = await client.chat.completions.create({ model: 'm', messages, n: 2 });
      expect(res.choices.map((c) => c.index)).toEqual([0, 1]);
      texts.push(res.choices[0]?.message.content);
    }
    expect(texts).toEqual(['first', 'first', 'second', 'default']);
  });
});

describe('embeddings and models', () => {
  it('returns one deterministic unit vector per input, honouring dimensions', async () => {
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b', 'a'], dimensions: 64 });
    expect(res.data).toHaveLength(3);
    const [a, b, again] = res.data.map((d) => Array.from(d.embedding));
    expect(a).toHaveLength(64);
    expect(again).toEqual(a);
    expect(b).not.toEqual(a);
    expect(Math.hypot(...(a ?? []))).toBeCloseTo(1, 5);
    expect(res.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });

    // The SDK asks for base64 by default; an explicit float request must give the same numbers.
    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'a', dimensions: 64, encoding_format: 'float' });
    expect(floats.data[0]?.embedding).toEqual(a);
  });

  it('lists models without consuming a queued behaviour', async () => {
    fake.enqueue({ status: 500 });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('fake-model');
    await expect(client.chat.completions.create({ model: 'm', messages })).rejects.toMatchObject({ status: 500 });
  });
});

describe('failure modes', () => {
  it('answers 429 with retry-after and the OpenAI error envelope', async () => {
    fake.enqueue({ status: 429, headers: { 'retry-after': '2' } });
    const err = await client.chat.completions.create({ model: 'm', messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const apiError = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(apiError.headers.get('retry-after')).toBe('2');
    expect(apiError.code).toBe('rate_limit_exceeded');
  });

  it('cutAfterChunks makes stream iteration throw, and truncates a JSON body', async () => {
    fake.enqueue({ cutAfterChunks: 2 });
    const stream = await client.chat.completions.create({ model: 'm', messages, stream: true });
    let received = 0;
    await expect(
      (async () => {
        for await (const _ of stream) received++;
      })(),
    ).rejects.toThrow();
    expect(received).toBe(2);
    expect(fake.requests[0]?.aborted).toBe(false);

    fake.enqueue({ cutAfterChunks: 0 });
    await expect(client.chat.completions.create({ model: 'm', messages })).rejects.toThrow();
  });

  it('errorEventAfterChunks surfaces as an API error mid-stream; endWithoutDone ends quietly', async () => {
    fake.enqueue({ errorEventAfterChunks: 1 });
    const failing = await client.chat.completions.create({ model: 'm', messages, stream: true });
    await expect((async () => { for await (const _ of failing); })()).rejects.toThrow(/server had an error/);

    fake.enqueue({ endWithoutDone: true });
    const res = await fetch(`${fake.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages, stream: true }) });
    const text = await res.text();
    expect(text).toContain('"finish_reason":"stop"');
    expect(text).not.toContain('[DONE]');
  });

  it('sends rawBody and contentType verbatim', async () => {
    fake.enqueue({ status: 502, rawBody: '<html>Bad Gateway</html>', contentType: 'text/html' });
    const res = await fetch(`${fake.url}/chat/completions`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(await res.text()).toBe('<html>Bad Gateway</html>');

    // A JSON content type on a streaming request: the upstream "ignores" stream and answers in one body.
    fake.enqueue({ contentType: 'application/json' });
    const json = await fetch(`${fake.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages, stream: true }) });
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(await json.json()).toMatchObject({ object: 'chat.completion', model: 'm' });
  });

  it('waitForAbort resolves when the client aborts a hanging request', async () => {
    fake.enqueue({ hang: true });
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: 'm', messages }, { signal: controller.signal });
    pending.catch(() => {});
    await until(() => fake.requests.length === 1);
    controller.abort();
    const aborted = await fake.waitForAbort(2000);
    expect(aborted.aborted).toBe(true);
    expect(aborted).toBe(fake.requests[0]);
    await expect(pending).rejects.toThrow();
  });

  it('waitForAbort sees an abort mid-stream and rejects when nothing aborts', async () => {
    fake.enqueue({ chunks: 50, chunkDelayMs: 20 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ model: 'm', messages, stream: true }, { signal: controller.signal });
    for await (const _ of stream) {
      controller.abort();
      break;
    }
    expect((await fake.waitForAbort(2000)).aborted).toBe(true);
    await expect(fake.waitForAbort(50)).rejects.toThrow(/no client abort/);
  });
});

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('hostile behaviours', () => {
  const post = (body: object) =>
    fetch(`${fake.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-key' }, body: JSON.stringify(body) });

  it('hugeBody writes valid JSON of about the size asked, declared or chunked, with usage at the end', async () => {
    for (const declareLength of [true, false]) {
      for (const shape of ['chat', 'embeddings'] as const) {
        fake.enqueue({ hugeBody: { bytes: 300_000, shape, declareLength } });
        const res = await post({ model: 'm', messages });
        expect(res.headers.get('content-length') !== null).toBe(declareLength);
        const text = await res.text();
        expect(Math.abs(text.length - 300_000)).toBeLessThan(20);
        expect(JSON.parse(text).usage).toEqual({ prompt_tokens: 11, completion_tokens: 22, total_tokens: 33 });
        expect(text).toMatch(/"usage": \{/);
      }
    }
  });

  it('giantSseLine sends one normal event, then one line of the size asked', async () => {
    fake.enqueue({ giantSseLine: { bytes: 200_000, finish: true } });
    const text = await (await post({ model: 'm', messages, stream: true })).text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events).toHaveLength(3);
    expect(events[1]!.length).toBeGreaterThan(200_000);
    expect(JSON.parse(events[1]!.slice('data: '.length)).choices[0].delta.content).toMatch(/^y+$/);
    expect(events[2]).toBe('data: [DONE]');
  });

  it('echoKey quotes the caller key as asked; records say which connection carried each request', async () => {
    fake.enqueue({ echoKey: { as: 'prefix', prefix: 6 } });
    const res = await post({ model: 'm', messages });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('provided: sk-tes.');
    await post({ model: 'm', messages });
    const [a, b] = fake.requests;
    expect(a!.connection).toBeGreaterThan(0);
    expect(fake.connections).toBeGreaterThanOrEqual(Math.max(a!.connection, b!.connection));
  });
});
