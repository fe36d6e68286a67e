import { describe, expect, it } from 'vitest';
import type { SseEvent } from '../../providers/types.ts';
import { toMessagesEvents } from './stream.ts';

// chat.completion.chunk events → Anthropic's stream events, in the documented order.

const chunk = (delta: object, finish: string | null = null) => ({ data: JSON.stringify({ id: 'chatcmpl-9', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] }) });

async function* of(events: SseEvent[]): AsyncGenerator<SseEvent> {
  yield* events;
}

async function render(events: SseEvent[]): Promise<Array<{ event: string; data: Record<string, any> }>> {
  const out = [];
  for await (const e of toMessagesEvents(of(events), 'alias')) out.push({ event: e.event!, data: JSON.parse(e.data) });
  return out;
}

describe('toMessagesEvents', () => {
  it('opens and closes a block per text run and per tool call, then message_delta with usage and message_stop', async () => {
    const out = await render([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hi' }),
      chunk({ content: ' there' }),
      chunk({ tool_calls: [{ index: 0, id: 'c0', type: 'function', function: { name: 'f', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'c1', type: 'function', function: { name: 'g', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      { data: JSON.stringify({ id: 'chatcmpl-9', choices: [], usage: { prompt_tokens: 12, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 2 } } }) },
    ]);
    expect(out.map((e) => e.event)).toEqual([
      'message_start', 'ping',
      'content_block_start', 'content_block_delta', 'content_block_delta',
      'content_block_stop', 'content_block_start', 'content_block_delta', 'content_block_delta',
      'content_block_stop', 'content_block_start', 'content_block_delta',
      'content_block_stop', 'message_delta', 'message_stop',
    ]);
    expect(out.every((e) => e.data.type === e.event)).toBe(true);
    expect(out[0]!.data.message).toMatchObject({ id: 'msg_chatcmpl-9', role: 'assistant', content: [], model: 'm' });
    expect(out[6]!.data).toEqual({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'c0', name: 'f', input: {} } });
    expect(out[8]!.data.delta).toEqual({ type: 'input_json_delta', partial_json: '1}' });
    expect(out[11]!.data.index).toBe(2);
    expect(out.at(-2)!.data).toEqual({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 2 } });
  });

  it('lets a failure of the source through, for the writer to render as an error event', async () => {
    async function* failing(): AsyncGenerator<SseEvent> {
      yield chunk({ content: 'a' });
      throw new Error('cut');
    }
    const seen: string[] = [];
    const run = async () => {
      for await (const e of toMessagesEvents(failing(), 'alias')) seen.push(e.event!);
    };
    await expect(run()).rejects.toThrow('cut');
    expect(seen).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta']);
  });
});
