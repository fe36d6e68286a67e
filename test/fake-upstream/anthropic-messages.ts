// POST /v1/messages: JSON or SSE depending on the request's `stream`, shaped like Anthropic's
// Messages API (event names, content blocks, input_json deltas, message_stop as the end).
import { anthropicError, anthropicErrorForStatus } from './anthropic-errors.ts';
import type { Exchange } from './exchange.ts';
import { answersAsStream, applyCommonBehaviour, sendJson } from './respond.ts';
import { bodyObject, hasJsonObjectBody, type Route } from './route.ts';
import { streamSse, type SseEvent } from './sse.ts';
import { estimateTokens, splitIntoPieces } from './text-pieces.ts';
import type { Behaviour } from './types.ts';

export const DEFAULT_CLAUDE_CONTENT = 'Hello from fake Claude.';

type Json = Record<string, unknown>;

interface MessagesAnswer {
  id: string;
  model: string;
  content: string | null;
  toolCalls: Array<{ id: string; name: string; input: Json; arguments: string }>;
  stopReason: string;
  usage: Json;
}

function answerFor(ex: Exchange, b: Behaviour, body: Json): MessagesAnswer {
  const calls = b.toolCalls ?? [];
  const content = b.content ?? (calls.length > 0 ? null : DEFAULT_CLAUDE_CONTENT);
  const output = estimateTokens(content ?? '') + calls.reduce((n, c) => n + estimateTokens(c.name + c.arguments), 0);
  const usage = {
    input_tokens: b.usage?.prompt_tokens ?? estimateTokens(JSON.stringify(body.messages ?? [])),
    output_tokens: b.usage?.completion_tokens ?? output,
    cache_creation_input_tokens: b.cacheTokens?.write ?? 0,
    cache_read_input_tokens: b.cacheTokens?.read ?? 0,
  };
  return {
    id: `msg_fake${String(ex.seq).padStart(8, '0')}`,
    model: typeof body.model === 'string' ? body.model : 'fake-claude',
    content,
    toolCalls: calls.map((c, i) => ({ id: `toolu_fake${ex.seq}_${i}`, name: c.name, input: JSON.parse(c.arguments) as Json, arguments: c.arguments })),
    stopReason: b.stopReason ?? (calls.length > 0 ? 'tool_use' : 'end_turn'),
    usage,
  };
}

function message(a: MessagesAnswer): Json {
  const content: Json[] = [];
  if (a.content !== null) content.push({ type: 'text', text: a.content });
  for (const c of a.toolCalls) content.push({ type: 'tool_use', id: c.id, name: c.name, input: c.input });
  return { id: a.id, type: 'message', role: 'assistant', model: a.model, content, stop_reason: a.stopReason, stop_sequence: null, usage: a.usage };
}

const ev = (type: string, payload: Json): SseEvent => ({ event: type, data: JSON.stringify({ type, ...payload }) });

function events(a: MessagesAnswer, pieces: number): SseEvent[] {
  const start = { ...message(a), content: [], stop_reason: null, usage: { ...a.usage, output_tokens: 1 } };
  const out: SseEvent[] = [ev('message_start', { message: start }), ev('ping', {})];
  let index = 0;
  if (a.content !== null) {
    out.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    for (const text of splitIntoPieces(a.content, pieces)) out.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text } }));
    out.push(ev('content_block_stop', { index }));
    index++;
  }
  for (const c of a.toolCalls) {
    out.push(ev('content_block_start', { index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } }));
    for (const partial_json of splitIntoPieces(c.arguments, pieces)) out.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }));
    out.push(ev('content_block_stop', { index }));
    index++;
  }
  out.push(ev('message_delta', { delta: { stop_reason: a.stopReason, stop_sequence: null }, usage: { output_tokens: a.usage.output_tokens } }));
  return out;
}

export const anthropicMessagesRoute: Route = {
  method: 'POST',
  path: '/v1/messages',
  scripted: true,
  async handle(ex, b) {
    const body = bodyObject(ex);
    const requestedStream = body.stream === true;
    if (await applyCommonBehaviour(ex, b, { streaming: requestedStream, errorBodyFor: anthropicErrorForStatus })) return;
    if (!hasJsonObjectBody(ex) || typeof body.max_tokens !== 'number') {
      sendJson(ex, {}, 400, anthropicError('invalid_request_error', 'max_tokens: Field required'));
      return;
    }
    const answer = answerFor(ex, b, body);
    if (!answersAsStream(requestedStream, b)) {
      await sendJson(ex, b, 200, message(answer), b.contentType);
      return;
    }
    await streamSse(ex, b, {
      events: events(answer, b.chunks ?? 4),
      // message_stop ends an Anthropic stream: `endWithoutDone` leaves it out.
      terminator: ev('message_stop', {}),
      errorEvent: { event: 'error', data: JSON.stringify(anthropicError('overloaded_error', 'Overloaded')) },
    });
  },
};
