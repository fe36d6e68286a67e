import type { SseEvent } from '../../providers/types.ts';
import { anthropicUsageOf, isRecord, messageIdOf, stopReasonOf } from './response.ts';

// The pipeline's chat.completion.chunk events → Anthropic's stream: message_start, then for
// each text run or tool call a content_block_start, its deltas (text_delta, input_json_delta)
// and content_block_stop, then message_delta (stop_reason, usage) and message_stop. The
// usage chunk arrives last in the chat stream, so usage is reported in message_delta.
// A failure of the source propagates: the writer renders it as an Anthropic `error` event.

type Json = Record<string, unknown>;

const event = (type: string, payload: Json): SseEvent => ({ event: type, data: JSON.stringify({ type, ...payload }) });

export async function* toMessagesEvents(chunks: AsyncIterable<SseEvent>, requestedModel: string): AsyncGenerator<SseEvent, void, undefined> {
  let started = false;
  let blocks = 0;
  /** The block open now: its index and, for a tool call, the chat stream's tool index. */
  let open: { index: number; tool: number | undefined } | undefined;
  const toolBlocks = new Map<number, number>();
  let finish: unknown;
  let usage: unknown;

  const close = function* (): Generator<SseEvent> {
    if (open === undefined) return;
    yield event('content_block_stop', { index: open.index });
    open = undefined;
  };
  const start = function* (block: Json, tool: number | undefined): Generator<SseEvent> {
    yield* close();
    open = { index: blocks++, tool };
    if (tool !== undefined) toolBlocks.set(tool, open.index);
    yield event('content_block_start', { index: open.index, content_block: block });
  };

  for await (const chunk of chunks) {
    const payload = parse(chunk.data);
    if (payload === undefined) continue;
    if (!started) {
      started = true;
      const message = { id: messageIdOf(payload.id), type: 'message', role: 'assistant', model: typeof payload.model === 'string' ? payload.model : requestedModel, content: [], stop_reason: null, stop_sequence: null, usage: anthropicUsageOf(undefined) };
      yield event('message_start', { message });
      yield event('ping', {});
    }
    if (isRecord(payload.usage)) usage = payload.usage;
    const choice = Array.isArray(payload.choices) && isRecord(payload.choices[0]) ? payload.choices[0] : undefined;
    if (choice === undefined) continue;
    const delta = isRecord(choice.delta) ? choice.delta : {};
    if (typeof delta.content === 'string' && delta.content !== '') {
      if (open === undefined || open.tool !== undefined) yield* start({ type: 'text', text: '' }, undefined);
      yield event('content_block_delta', { index: open!.index, delta: { type: 'text_delta', text: delta.content } });
    }
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls) {
        if (!isRecord(call)) continue;
        const tool = typeof call.index === 'number' ? call.index : 0;
        const fn = isRecord(call.function) ? call.function : {};
        if (!toolBlocks.has(tool)) yield* start({ type: 'tool_use', id: String(call.id ?? `toolu_${tool}`), name: String(fn.name ?? ''), input: {} }, tool);
        if (typeof fn.arguments === 'string' && fn.arguments !== '') {
          yield event('content_block_delta', { index: toolBlocks.get(tool)!, delta: { type: 'input_json_delta', partial_json: fn.arguments } });
        }
      }
    }
    if (typeof choice.finish_reason === 'string') finish = choice.finish_reason;
  }
  if (!started) return;
  yield* close();
  const { input_tokens, output_tokens, cache_read_input_tokens } = anthropicUsageOf(usage);
  yield event('message_delta', { delta: { stop_reason: stopReasonOf(finish), stop_sequence: null }, usage: { input_tokens, output_tokens, cache_read_input_tokens } });
  yield event('message_stop', {});
}

function parse(data: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
