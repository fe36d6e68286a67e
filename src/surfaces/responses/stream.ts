import type { SseEvent } from '../../providers/types.ts';
import { toGatewayError } from '../../proxy/errors.ts';
import { functionCallItem, messageItem, newId, outcomeOf, responseObject, responsesUsage, type ResponseFrame } from './answer.ts';

// A chat completion stream rendered as the Responses API's semantic events, in the
// documented order, each with its sequence_number: response.created, response.in_progress,
// then per output item .output_item.added, (.content_part.added, .output_text.delta...,
// .output_text.done, .content_part.done | .function_call_arguments.delta..., .done),
// .output_item.done, and finally response.completed (or response.incomplete). A failure past
// the commit point is reported as response.failed, then the stream ends with the error.

type Json = Record<string, unknown>;

interface OpenItem {
  readonly index: number;
  readonly item: Json;
  readonly kind: 'message' | 'function_call';
  text: string;
}

/**
 * `onDone` sees the final Response object before response.completed is sent (so it is stored
 * first). Stopping early (the client went away) cancels the chat stream even before its first
 * event was read, which a bare generator would not do.
 */
export function responsesEvents(chunks: AsyncIterable<SseEvent>, frame: ResponseFrame, onDone: (response: Json) => Promise<void>): AsyncIterableIterator<SseEvent> {
  const source = chunks[Symbol.asyncIterator]();
  const events = render({ [Symbol.asyncIterator]: () => source }, frame, onDone);
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => events.next(),
    async return() {
      await events.return(undefined);
      await source.return?.();
      return { done: true, value: undefined };
    },
  };
}

async function* render(chunks: AsyncIterable<SseEvent>, frame: ResponseFrame, onDone: (response: Json) => Promise<void>): AsyncGenerator<SseEvent, void, undefined> {
  let sequence = 0;
  const event = (type: string, fields: Json): SseEvent => ({ event: type, data: JSON.stringify({ type, sequence_number: sequence++, ...fields }) });
  let model = String(frame.request.model);
  const output: Json[] = [];
  let text: OpenItem | undefined;
  const calls = new Map<number, OpenItem>();
  let finishReason: unknown;
  let usage: unknown;

  yield event('response.created', { response: responseObject(frame, 'in_progress', model, []) });
  yield event('response.in_progress', { response: responseObject(frame, 'in_progress', model, []) });

  function* closeText(): Generator<SseEvent> {
    if (text === undefined) return;
    const open = text;
    text = undefined;
    const part = { type: 'output_text', text: open.text, annotations: [], logprobs: [] };
    const common = { item_id: open.item.id, output_index: open.index, content_index: 0 };
    yield event('response.output_text.done', { ...common, text: open.text, logprobs: [] });
    yield event('response.content_part.done', { ...common, part });
    const done = messageItem(String(open.item.id), open.text, 'completed');
    output[open.index] = done;
    yield event('response.output_item.done', { output_index: open.index, item: done });
  }

  function* closeCalls(): Generator<SseEvent> {
    for (const open of calls.values()) {
      const common = { item_id: open.item.id, output_index: open.index };
      yield event('response.function_call_arguments.done', { ...common, name: open.item.name, arguments: open.text });
      const done = functionCallItem(String(open.item.id), String(open.item.call_id), String(open.item.name), open.text, 'completed');
      output[open.index] = done;
      yield event('response.output_item.done', { output_index: open.index, item: done });
    }
    calls.clear();
  }

  try {
    for await (const chunk of chunks) {
      let parsed: Json;
      try {
        parsed = JSON.parse(chunk.data) as Json;
      } catch {
        continue;
      }
      if (typeof parsed.model === 'string') model = parsed.model;
      if (parsed.usage != null) usage = parsed.usage;
      const choice = ((parsed.choices as Json[] | undefined) ?? [])[0];
      if (choice === undefined) continue;
      if (choice.finish_reason != null) finishReason = choice.finish_reason;
      const delta = (choice.delta as Json | undefined) ?? {};
      const piece = typeof delta.content === 'string' ? delta.content : typeof delta.refusal === 'string' ? delta.refusal : '';
      if (piece !== '') {
        if (text === undefined) {
          const item = messageItem(newId('msg'), '', 'in_progress');
          item.content = [];
          text = { index: output.length, item, kind: 'message', text: '' };
          output.push(item);
          yield event('response.output_item.added', { output_index: text.index, item });
          const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
          yield event('response.content_part.added', { item_id: item.id, output_index: text.index, content_index: 0, part });
        }
        text.text += piece;
        yield event('response.output_text.delta', { item_id: text.item.id, output_index: text.index, content_index: 0, delta: piece, logprobs: [] });
      }
      for (const call of (delta.tool_calls as Json[] | undefined) ?? []) {
        yield* closeText();
        const at = typeof call.index === 'number' ? call.index : 0;
        const fn = (call.function as Json | undefined) ?? {};
        let open = calls.get(at);
        if (open === undefined) {
          const item = functionCallItem(newId('fc'), String(call.id ?? newId('fc')), String(fn.name ?? ''), '', 'in_progress');
          open = { index: output.length, item, kind: 'function_call', text: '' };
          calls.set(at, open);
          output.push(item);
          yield event('response.output_item.added', { output_index: open.index, item });
        }
        if (typeof fn.arguments === 'string' && fn.arguments !== '') {
          open.text += fn.arguments;
          yield event('response.function_call_arguments.delta', { item_id: open.item.id, output_index: open.index, delta: fn.arguments });
        }
      }
    }
  } catch (err) {
    const error = toGatewayError(err);
    const failed = responseObject(frame, 'failed', model, output, { error: { code: error.publicCode, message: error.message } });
    yield event('response.failed', { response: failed });
    throw err;
  }
  yield* closeText();
  yield* closeCalls();
  const outcome = outcomeOf(finishReason);
  const final = responseObject(frame, outcome.status, model, output, { ...outcome, usage: responsesUsage(usage) });
  await onDone(final);
  yield event(outcome.status === 'completed' ? 'response.completed' : 'response.incomplete', { response: final });
}
