import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../proxy/errors.ts';
import { parseSse } from '../sse-parser.ts';
import { toChatChunks } from './stream.ts';

// Anthropic SSE (fixtures in the documented event format) → chat.completion.chunk events.

const limits = { maxEventBytes: 1 << 20, tooLarge: () => new Error('too large') };
const source = { provider: 'claude', secrets: ['sk-ant-secret'] };

async function* bytes(text: string, size = 7): AsyncGenerator<Uint8Array> {
  const buffer = Buffer.from(text);
  // Small pieces: events split across chunks at every position.
  for (let at = 0; at < buffer.length; at += size) yield buffer.subarray(at, at + size);
}

async function chunksOf(text: string): Promise<Array<Record<string, any>>> {
  const out = [];
  for await (const event of toChatChunks(parseSse(bytes(text), limits), source)) out.push(JSON.parse(event.data));
  return out;
}

const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/anthropic/${name}`, import.meta.url), 'utf8');

describe('toChatChunks', () => {
  it('translates text and parallel tool use with tool calls indexed in order, then finish and usage', async () => {
    const chunks = await chunksOf(fixture('tool-use-stream.sse'));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === 'msg_01Fixture7gG3wDgGV9EUtL' && c.model === 'claude-sonnet-4-5')).toBe(true);
    const deltas = chunks.filter((c) => c.choices.length > 0).map((c) => c.choices[0].delta);
    expect(deltas).toEqual([
      { role: 'assistant', content: '', refusal: null },
      { content: 'Let me check' },
      { content: ' the weather.' },
      { tool_calls: [{ index: 0, id: 'toolu_01FixtureParis', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"location": "Par' } }] },
      { tool_calls: [{ index: 0, function: { arguments: 'is"}' } }] },
      { tool_calls: [{ index: 1, id: 'toolu_01FixtureOslo', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
      { tool_calls: [{ index: 1, function: { arguments: '{"location": "Oslo"}' } }] },
      {},
    ]);
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 600, completion_tokens: 89, total_tokens: 689, prompt_tokens_details: { cached_tokens: 128 } } });
  });

  it('throws an overloaded error event as a retryable upstream_unavailable', async () => {
    const error = await chunksOf(fixture('overloaded-stream.sse')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('upstream_unavailable');
    expect((error as GatewayError).upstream?.status).toBe(529);
  });

  it('refuses a stream that ends without message_stop, or carries an event that is not JSON', async () => {
    const cut = fixture('tool-use-stream.sse').replace(/event: message_stop[\s\S]*$/, '');
    expect(((await chunksOf(cut).catch((e: unknown) => e)) as GatewayError).message).toContain('without message_stop');
    const bad = 'event: message_start\ndata: {not json\n\n';
    expect(((await chunksOf(bad).catch((e: unknown) => e)) as GatewayError).code).toBe('upstream_error');
  });

  it('scrubs secrets from an error event', async () => {
    const text = 'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"bad key sk-ant-secret"}}\n\n';
    const error = (await chunksOf(text).catch((e: unknown) => e)) as GatewayError;
    expect(error.message).not.toContain('sk-ant-secret');
  });
});
