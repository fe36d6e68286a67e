// Builders for the Responses API's native shapes (a Response object and its semantic stream
// events, each with its `event:` name and sequence_number), as OpenAI sends them.
import { splitIntoPieces } from './text-pieces.ts';
import type { SseEvent } from './sse.ts';

type Json = Record<string, unknown>;

export interface NativeAnswer {
  id: string;
  model: string;
  content: string | null;
  toolCalls: Array<{ name: string; arguments: string }>;
  inputTokens: number;
  outputTokens: number;
  request: Json;
}

function usage(a: NativeAnswer): Json {
  return {
    input_tokens: a.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: a.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: a.inputTokens + a.outputTokens,
  };
}

function items(a: NativeAnswer): Json[] {
  const out: Json[] = [];
  if (a.content !== null) {
    out.push({ id: `msg_${a.id}`, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: a.content, annotations: [], logprobs: [] }] });
  }
  a.toolCalls.forEach((call, i) => out.push({ id: `fc_${a.id}_${i}`, type: 'function_call', status: 'completed', arguments: call.arguments, call_id: `call_${a.id}_${i}`, name: call.name }));
  return out;
}

export function buildResponse(a: NativeAnswer, status = 'completed', output = items(a), withUsage = true): Json {
  return {
    id: `resp_${a.id}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    error: null,
    incomplete_details: null,
    instructions: a.request.instructions ?? null,
    max_output_tokens: a.request.max_output_tokens ?? null,
    model: a.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: a.request.previous_response_id ?? null,
    store: a.request.store !== false,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: a.request.tools ?? [],
    top_p: 1,
    truncation: 'disabled',
    usage: withUsage ? usage(a) : null,
    user: null,
    metadata: {},
  };
}

export function buildResponseEvents(a: NativeAnswer, pieces: number): SseEvent[] {
  let seq = 0;
  const events: SseEvent[] = [];
  const emit = (type: string, fields: Json) => events.push({ event: type, data: JSON.stringify({ type, sequence_number: seq++, ...fields }) });
  emit('response.created', { response: buildResponse(a, 'in_progress', [], false) });
  emit('response.in_progress', { response: buildResponse(a, 'in_progress', [], false) });
  const done = items(a);
  done.forEach((item, index) => {
    if (item.type === 'message') {
      emit('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', content: [] } });
      const part = { type: 'output_text', text: '', annotations: [] };
      emit('response.content_part.added', { item_id: item.id, output_index: index, content_index: 0, part });
      for (const delta of splitIntoPieces(a.content!, pieces)) emit('response.output_text.delta', { item_id: item.id, output_index: index, content_index: 0, delta, logprobs: [] });
      emit('response.output_text.done', { item_id: item.id, output_index: index, content_index: 0, text: a.content, logprobs: [] });
      emit('response.content_part.done', { item_id: item.id, output_index: index, content_index: 0, part: { ...part, text: a.content } });
    } else {
      emit('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', arguments: '' } });
      for (const delta of splitIntoPieces(String(item.arguments), pieces)) emit('response.function_call_arguments.delta', { item_id: item.id, output_index: index, delta });
      emit('response.function_call_arguments.done', { item_id: item.id, output_index: index, arguments: item.arguments });
    }
    emit('response.output_item.done', { output_index: index, item });
  });
  emit('response.completed', { response: buildResponse(a, 'completed', done) });
  return events;
}
