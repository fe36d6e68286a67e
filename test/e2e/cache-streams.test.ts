import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness.ts';
import { startCacheHarness, uniqueChat, upstreamCalls } from './cache-harness.ts';

// A replayed stream must be indistinguishable, to the openai SDK, from the live one it
// was recorded from; JSON and stream requests are served from either origin.

let h: Harness;
let client: OpenAI;
beforeAll(async () => {
  h = await startCacheHarness();
  client = h.client();
});
afterAll(() => h.close());

type Params = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;

/** What a client makes of a stream: the SDK's own assembly, plus the text as the deltas arrived. */
async function streamed(body: Record<string, unknown>) {
  const { data, response } = await client.chat.completions
    .create({ ...(body as unknown as Params), stream: true, stream_options: { include_usage: true } })
    .withResponse();
  let text = '';
  const deltaCalls: unknown[] = [];
  let finish: string | null = null;
  let usage: unknown;
  let model = '';
  for await (const chunk of data) {
    model = chunk.model;
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? '';
      if (choice.delta.tool_calls) deltaCalls.push(...choice.delta.tool_calls);
      finish = choice.finish_reason ?? finish;
    }
  }
  return { text, finish, usage, model, calls: assembleCalls(deltaCalls), cache: response.headers.get('x-tollgate-cache') };
}

function assembleCalls(deltas: unknown[]): Array<{ id?: string; name: string; arguments: string }> {
  const calls: Array<{ id?: string; name: string; arguments: string }> = [];
  for (const d of deltas as Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }>) {
    const call = (calls[d.index] ??= { name: '', arguments: '' });
    if (d.id) call.id = d.id;
    call.name += d.function?.name ?? '';
    call.arguments += d.function?.arguments ?? '';
  }
  return calls;
}

async function finalOf(body: Record<string, unknown>) {
  const runner = client.chat.completions.stream({ ...(body as unknown as OpenAI.Chat.ChatCompletionCreateParamsStreaming), stream_options: { include_usage: true } });
  return runner.finalChatCompletion();
}

describe('stream replay', () => {
  it.each([
    ['text', { content: 'The quick brown fox jumps over the lazy dog. '.repeat(40), chunks: 12 }],
    ['parallel tool calls', { toolCalls: [{ name: 'lookup', arguments: '{"city":"Paris"}' }, { name: 'time', arguments: '{"tz":"CET"}' }] }],
    ['unicode', { content: 'héllo 🙂 '.repeat(300), chunks: 7 }],
  ])('parses a replayed %s stream exactly as the live one', async (_name, behaviour) => {
    const body = uniqueChat();
    h.fake.enqueue(behaviour);
    const before = upstreamCalls(h);
    const live = await streamed(body);
    const replay = await streamed(body);
    expect(live.cache).toBe('miss');
    expect(replay.cache).toBe('hit');
    expect(upstreamCalls(h) - before).toBe(1);
    expect(replay).toEqual({ ...live, cache: 'hit' });

    // The SDK's own accumulation agrees too, and a JSON request gets the same message.
    const final = await finalOf(body);
    const json = await client.chat.completions.create(body as unknown as Params);
    expect(json.choices[0]!.message.content ?? '').toBe(live.text);
    expect(json.choices[0]!.finish_reason).toBe(live.finish);
    expect(json.choices[0]!.message.tool_calls?.map((c) => c.type === 'function' && { id: c.id, name: c.function.name, arguments: c.function.arguments }) ?? []).toEqual(live.calls);
    expect(json.usage).toEqual(live.usage);
    expect(final.choices[0]!.message.content ?? '').toBe(live.text);
    expect(upstreamCalls(h) - before).toBe(1);
  });

  it('replays a JSON-origin answer as a stream the SDK reads like a live one', async () => {
    const body = uniqueChat();
    h.fake.enqueue({ toolCalls: [{ name: 'f', arguments: '{"a":1}' }] });
    const json = await client.chat.completions.create(body as unknown as Params);
    const replay = await streamed(body);
    expect(replay.cache).toBe('hit');
    expect(replay.text).toBe(json.choices[0]!.message.content ?? '');
    expect(replay.finish).toBe(json.choices[0]!.finish_reason);
    expect(replay.calls).toEqual(json.choices[0]!.message.tool_calls!.map((c) => c.type === 'function' && { id: c.id, name: c.function.name, arguments: c.function.arguments }));
    expect(replay.usage).toEqual(json.usage);
    expect(replay.model).toBe(json.model);
  });
});
