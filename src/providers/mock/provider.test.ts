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
    expect(JSON.parse(reply.text)).toEqual(reply.body);
    const body = reply.body as Record<string, any>;
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
    const choice = (reply.body as any).choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([
      { id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'lookup', arguments: '{"q":"example"}' } },
    ]);
    const usage = (reply.body as any).usage;
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.completion_tokens).toBeGreaterThan(0);
  });

  it('gives the same id for the same request id', async () => {
    const a = (await provider.chat(call(chatBody), false)) as JsonReply;
    const b = (await provider.chat(call(chatBody), false)) as JsonReply;
    expect(a.body.id).toBe(b.body.id);
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
    const body = reply.body as { object: string; model: string; data: { object: string; index: number; embedding: number[] }[]; usage: Record<string, number> };
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
    expect(((await provider.embeddings(call({ model: 'e', input: 'one' }))).body as any).data).toHaveLength(1);
    expect(((await provider.embeddings(call({ model: 'e', input: [1, 2, 3] }))).body as any).data).toHaveLength(1);
  });

  it('honours dimensions and is deterministic', async () => {
    const a = (await provider.embeddings(call({ model: 'e', input: 'x', dimensions: 5 }))).body as any;
    const b = (await provider.embeddings(call({ model: 'e', input: 'x', dimensions: 5 }))).body as any;
    expect(a.data[0].embedding).toHaveLength(5);
    expect(a.data[0].embedding).toEqual(b.data[0].embedding);
  });

  it('encodes base64 as little-endian float32 that decodes to the same values', async () => {
    const floats = (await provider.embeddings(call({ model: 'e', input: ['p', 'q'], dimensions: 8 }))).body as any;
    const encoded = (await provider.embeddings(call({ model: 'e', input: ['p', 'q'], dimensions: 8, encoding_format: 'base64' }))).body as any;
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
