import type { SseEvent } from '../providers/types.ts';

// A cached chat.completion replayed as the stream a live call would have sent: a role
// chunk per choice, the text in pieces, each tool call whole, the finish reason, the usage
// chunk when the client asked for it (the writer adds `[DONE]`). Chunks are built as they
// are pulled, so a large answer is never held twice.

const PIECE_CHARS = 1024;

type Json = Record<string, unknown>;

export function* replayChunks(completion: Json, includeUsage: boolean): Generator<SseEvent> {
  const head: Json = {
    id: completion.id,
    object: 'chat.completion.chunk',
    created: completion.created,
    model: completion.model,
    ...(completion.system_fingerprint === undefined ? {} : { system_fingerprint: completion.system_fingerprint }),
  };
  const chunk = (choice: Json): SseEvent => ({ data: JSON.stringify({ ...head, choices: [choice] }) });
  const choices = Array.isArray(completion.choices) ? (completion.choices as Json[]) : [];
  for (const choice of choices) {
    const index = choice.index ?? 0;
    const message = (choice.message ?? {}) as Json;
    yield chunk({ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null });
    if (typeof message.content === 'string') {
      for (const piece of pieces(message.content)) yield chunk({ index, delta: { content: piece }, logprobs: null, finish_reason: null });
    }
    if (typeof message.refusal === 'string') yield chunk({ index, delta: { refusal: message.refusal }, logprobs: null, finish_reason: null });
    const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as Json[]) : [];
    for (const [i, call] of calls.entries()) {
      yield chunk({ index, delta: { tool_calls: [{ index: i, id: call.id, type: call.type ?? 'function', function: call.function }] }, logprobs: null, finish_reason: null });
    }
    yield chunk({ index, delta: {}, logprobs: null, finish_reason: choice.finish_reason ?? 'stop' });
  }
  if (includeUsage && completion.usage !== undefined) yield { data: JSON.stringify({ ...head, choices: [], usage: completion.usage }) };
}

/** Splits text into pieces, never between the two halves of a surrogate pair. */
function* pieces(text: string): Generator<string> {
  let at = 0;
  while (at < text.length) {
    let end = Math.min(text.length, at + PIECE_CHARS);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++;
    yield text.slice(at, end);
    at = end;
  }
}

/** The generator as an async stream of events (what the pipeline relays). */
export async function* asAsync(events: Iterable<SseEvent>): AsyncGenerator<SseEvent> {
  yield* events;
}
