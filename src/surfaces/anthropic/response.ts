// The pipeline's chat completion → an Anthropic Messages answer: content as a text block,
// tool calls as tool_use blocks (arguments parsed back into an object), finish_reason as
// stop_reason, usage split into fresh input and cache reads.

type Json = Record<string, unknown>;

const STOP: Readonly<Record<string, string>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

export function stopReasonOf(finishReason: unknown): string {
  return typeof finishReason === 'string' ? (STOP[finishReason] ?? 'end_turn') : 'end_turn';
}

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export function anthropicUsageOf(raw: unknown): AnthropicUsage {
  const u = isRecord(raw) ? raw : {};
  const details = isRecord(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const cached = count(details.cached_tokens);
  return {
    input_tokens: Math.max(0, count(u.prompt_tokens) - cached),
    output_tokens: count(u.completion_tokens),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

/** Tool arguments are JSON text in the chat shape and an object in Anthropic's. */
export function toolInputOf(args: unknown): Json {
  if (typeof args !== 'string' || args.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(args);
    return isRecord(value) ? value : { value };
  } catch {
    // A model that wrote broken JSON: hand the text over rather than lose it.
    return { arguments: args };
  }
}

export function toMessagesAnswer(completion: unknown, requestedModel: string): Json {
  const c = isRecord(completion) ? completion : {};
  const choice = Array.isArray(c.choices) && isRecord(c.choices[0]) ? c.choices[0] : {};
  const message = isRecord(choice.message) ? choice.message : {};
  const content: Json[] = [];
  if (typeof message.content === 'string' && message.content !== '') content.push({ type: 'text', text: message.content });
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isRecord(call) || !isRecord(call.function)) continue;
      content.push({ type: 'tool_use', id: String(call.id), name: String(call.function.name), input: toolInputOf(call.function.arguments) });
    }
  }
  return {
    id: messageIdOf(c.id),
    type: 'message',
    role: 'assistant',
    model: typeof c.model === 'string' ? c.model : requestedModel,
    content,
    stop_reason: stopReasonOf(choice.finish_reason),
    stop_sequence: null,
    usage: anthropicUsageOf(c.usage),
  };
}

export function messageIdOf(id: unknown): string {
  if (typeof id !== 'string' || id === '') return 'msg_unknown';
  return id.startsWith('msg_') ? id : `msg_${id}`;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0;
}

export function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
