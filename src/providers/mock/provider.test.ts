import { describe, expect, it } from 'vitest';
import type { MockProviderConfig } from '../../config/schema.ts';
import { GatewayError } from '../../proxy/errors.ts';
import type { JsonReply, StreamReply, UpstreamCall } from '../types.ts';
import { MockProvider } from './provider.ts';

const CONFIG: MockProviderConfig = { kind: 'mock', latency: 0, chunkDelay: 0 };
const provider = new MockProvider('mock', CONFIG);
const call = (body: Record<string, unknown>, signal = new AbortController().signal): UpstreamCall => ({ body, requestId: 'req-1', signal });
const chatBody = { model: 'mock-chat-1', messages: [{ role: 'user', content: 'hello big world' }] };

type Chunk = {
  id: string;
  object: string;
  model: string;
  choices: { index: number; delta: Record<string, unknown>; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
};

/** The JSON body of a reply, parsed from the bytes the gateway would relay. */
const bodyOf = (reply: JsonReply): any => JSON.parse(Buffer.from(reply.bytes).toString('utf8'));

async function streamChunks(body: Record<string, unknown>): Promise<Chunk[]> {
  const reply = (await provider.chat(call(body), true)) as StreamReply;
  expect(reply.kind).toBe('stream');
  const out: Chunk[] = [];
  for await (const event of reply.events) out.push(JSON.parse(event.data) as Chunk);
  return out;
}

describe('MockProvider.chat (JSON)', () => {
  it('answers in the chat.completion shape with consistent usage', async () => {
    const reply = (await provider.chat(call(chatBody), false)) as JsonReply;
    expect(reply.kind).toBe('json');
    const body = bodyOf(reply) as Record<string, any>;
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'mock-chat-1',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Echo: hello big world', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
    });
    expect(body.id).toMatch(/^chatcmpl-mock-[0-9a-f]{24}$/);
    expect(Number.isInteger(body.created)).toBe(true);
    expect(body.choices[0].message.tool_calls).toBeUndefined();
    // 'hello big world' is 15 characters (4 tokens); 'Echo: hello big world' is 21 (6 tokens).
    expect(body.usage).toEqual({ prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 });
    expect(reply.usage).toEqual({ promptTokens: 4, completionTokens: 6, totalTokens: 10, source: 'upstream' });
  });

  it('answers tool calls in OpenAI shape', async () => {
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } }];
    const reply = (await provider.chat(call({ ...chatBody, tools, tool_choice: 'required' }), false)) as JsonReply;
    const choice = bodyOf(reply).choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([
      { id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'lookup', arguments: '{"q":"example"}' } },
    ]);
    const usage = bodyOf(reply).usage;
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.completion_tokens).toBeGreaterThan(0);
  });

  it('gives the same id for the same request id', async () => {
    const a = (await provider.chat(call(chatBody), false)) as JsonReply;
    const b = (await provider.chat(call(chatBody), false)) as JsonReply;
    expect(bodyOf(a).id).toBe(bodyOf(b).id);
  });

  it('fails with a GatewayError when the client is gone during the latency', async () => {
    const slow = new MockProvider('slow', { ...CONFIG, latency: 60_000 });
    const controller = new AbortController();
    controller.abort();
    await expect(slow.chat(call(chatBody, controller.signal), false)).rejects.toBeInstanceOf(GatewayError);
  });
});

describe('MockProvider.chat (stream)', () => {
  it('streams in OpenAI order: role, content pieces, finish; no usage chunk unless asked', async () => {
    const chunks = await streamChunks(chatBody);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(chunks[0]!.choices[0]!.finish_reason).toBeNull();
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    const middle = chunks.slice(1, -1);
    expect(middle.map((c) => c.choices[0]!.delta.content).join('')).toBe('Echo: hello big world');
    expect(middle.every((c) => c.choices[0]!.finish_reason === null)).toBe(true);
    for (const c of chunks) {
      expect(c.object).toBe('chat.completion.chunk');
      expect(c.id).toBe(chunks[0]!.id);
      expect('usage' in c).toBe(false);
    }
  });

  it('ends with a usage-only chunk when stream_options.include_usage is set', async () => {
    const chunks = await streamChunks({ ...chatBody, stream_options: { include_usage: true } });
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual({ prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 });
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    // Every other chunk says usage: null, as OpenAI does.
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('does not send usage for include_usage: false', async () => {
    const chunks = await streamChunks({ ...chatBody, stream_options: { include_usage: false } });
    expect(chunks.some((c) => 'usage' in c)).toBe(false);
  });

  it('streams a tool call as a header chunk then its arguments, then finishes with tool_calls', async () => {
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', required: ['q'], properties: { q: { enum: ['a'] } } } } }];
    const chunks = await streamChunks({ ...chatBody, tools, tool_choice: 'required' });
    expect(chunks).toHaveLength(4);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: null, refusal: null });
    expect(chunks[1]!.choices[0]!.delta).toEqual({
      tool_calls: [{ index: 0, id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'lookup', arguments: '' } }],
    });
    expect(chunks[2]!.choices[0]!.delta).toEqual({ tool_calls: [{ index: 0, function: { arguments: '{"q":"a"}' } }] });
    expect(chunks[3]!.choices[0]!.finish_reason).toBe('tool_calls');
  });
});

describe('MockProvider.embeddings', () => {
  it('returns one 16-dimension unit vector per input by default', async () => {
    const reply = await provider.embeddings(call({ model: 'mock-embedding-1', input: ['a', 'b', 'c'] }));
    const body = bodyOf(reply) as { object: string; model: string; data: { object: string; index: number; embedding: number[] }[]; usage: Record<string, number> };
    expect(body.object).toBe('list');
    expect(body.model).toBe('mock-embedding-1');
    expect(body.data.map((d) => d.index)).toEqual([0, 1, 2]);
    for (const d of body.data) {
      expect(d.object).toBe('embedding');
      expect(d.embedding).toHaveLength(16);
      expect(Math.hypot(...d.embedding)).toBeCloseTo(1, 5);
    }
    expect(body.data[0]!.embedding).not.toEqual(body.data[1]!.embedding);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens);
    expect(reply.usage?.promptTokens).toBe(body.usage.prompt_tokens);
  });

  it('treats a string, or an array of token numbers, as one input', async () => {
    expect(bodyOf(await provider.embeddings(call({ model: 'e', input: 'one' }))).data).toHaveLength(1);
    expect(bodyOf(await provider.embeddings(call({ model: 'e', input: [1, 2, 3] }))).data).toHaveLength(1);
  });

  it('honours dimensions and is deterministic', async () => {
    const a = bodyOf(await provider.embeddings(call({ model: 'e', input: 'x', dimensions: 5 })));
    const b = bodyOf(await provider.embeddings(call({ model: 'e', input: 'x', dimensions: 5 })));
    expect(a.data[0].embedding).toHaveLength(5);
    expect(a.data[0].embedding).toEqual(b.data[0].embedding);
  });

  it('encodes base64 as little-endian float32 that decodes to the same values', async () => {
    const floats = bodyOf(await provider.embeddings(call({ model: 'e', input: ['p', 'q'], dimensions: 8 })));
    const encoded = bodyOf(await provider.embeddings(call({ model: 'e', input: ['p', 'q'], dimensions: 8, encoding_format: 'base64' })));
    for (let i = 0; i < 2; i++) {
      const b64: string = encoded.data[i].embedding;
      expect(typeof b64).toBe('string');
      const bytes = Buffer.from(b64, 'base64');
      expect(bytes.length).toBe(8 * 4);
      const decoded = Array.from({ length: 8 }, (_, k) => bytes.readFloatLE(k * 4));
      expect(decoded).toEqual(floats.data[i].embedding);
    }
  });
});

describe('MockProvider refuses what the real API refuses, before computing anything', () => {
  const refusal = async (promise: Promise<unknown>) => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  };

  it.each([
    ['a hundred million dimensions', { dimensions: 100_000_000 }, 'dimensions'],
    ['zero dimensions', { dimensions: 0 }, 'dimensions'],
    ['fractional dimensions', { dimensions: 2.5 }, 'dimensions'],
    ['dimensions as a string', { dimensions: '16' }, 'dimensions'],
    ['more dimensions than a small model has', { model: 'text-embedding-3-small', dimensions: 2000 }, 'dimensions'],
    ['2049 inputs', { input: Array.from({ length: 2049 }, () => 'x') }, 'input'],
    ['an input over 8192 tokens', { input: ['short', 'y'.repeat(8193 * 4)] }, 'input'],
    ['a token array over 8192 tokens', { input: [Array.from({ length: 8193 }, () => 1)] }, 'input'],
    ['an empty input list', { input: [] }, 'input'],
    ['an input of the wrong type', { input: [{ text: 'x' }] }, 'input'],
  ])('embeddings: %s → the provider’s own 400 naming the parameter', async (_name, extra, param) => {
    const err = await refusal(provider.embeddings(call({ model: 'mock-embedding-1', input: 'x', ...extra })));
    expect(err.status).toBe(400);
    expect(err.param).toBe(param);
    expect(err.toEnvelope().error.type).toBe('invalid_request_error');
  });

  it('embeddings: the largest allowed answer is still computed (3072 dimensions)', async () => {
    const body = bodyOf(await provider.embeddings(call({ model: 'mock-embedding-1', input: 'x', dimensions: 3072 })));
    expect(body.data[0].embedding).toHaveLength(3072);
  });

  it.each([
    ['129 tools', { tools: Array.from({ length: 129 }, (_, i) => ({ type: 'function', function: { name: `t${i}` } })) }, 'tools'],
    ['n of a million', { n: 1_000_000 }, 'n'],
  ])('chat: %s → 400', async (_name, extra, param) => {
    const err = await refusal(provider.chat(call({ ...chatBody, ...extra }), false));
    expect(err.status).toBe(400);
    expect(err.param).toBe(param);
  });

  it('chat: a tool schema nested thousands deep answers instead of overflowing the stack', async () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 20_000; i++) schema = { type: 'object', required: ['a'], properties: { a: schema } };
    const tools = [{ type: 'function', function: { name: 'deep', parameters: schema } }];
    const reply = (await provider.chat(call({ ...chatBody, tools, tool_choice: 'required' }), false)) as JsonReply;
    expect(bodyOf(reply).choices[0].message.tool_calls[0].function.name).toBe('deep');
  });
});
