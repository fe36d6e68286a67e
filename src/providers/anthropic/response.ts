import { openAIUsageOf, type OpenAIUsage } from './usage.ts';

// An Anthropic Messages answer → an OpenAI chat completion: text blocks joined into the
// content, tool_use blocks as tool calls (input re-serialised as JSON text), stop_reason
// as finish_reason, usage with cache reads as cached prompt tokens. Thinking blocks are
// not part of OpenAI's chat shape and are left out.

type Json = Record<string, unknown>;

const FINISH: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export function finishReasonOf(stopReason: unknown): string {
  return typeof stopReason === 'string' ? (FINISH[stopReason] ?? 'stop') : 'stop';
}

export interface ChatCompletion {
  readonly completion: Json;
  readonly usage: OpenAIUsage;
}

export function toChatCompletion(message: Json, created = Math.floor(Date.now() / 1000)): ChatCompletion {
  const blocks = Array.isArray(message.content) ? (message.content as unknown[]) : [];
  let text: string | null = null;
  const toolCalls: Json[] = [];
  for (const block of blocks) {
    if (block === null || typeof block !== 'object') continue;
    const b = block as Json;
    if (b.type === 'text' && typeof b.text === 'string') text = (text ?? '') + b.text;
    else if (b.type === 'tool_use') {
      toolCalls.push({ id: String(b.id), type: 'function', function: { name: String(b.name), arguments: JSON.stringify(b.input ?? {}) } });
    }
  }
  const reply: Json = { role: 'assistant', content: text, refusal: null };
  if (toolCalls.length > 0) reply.tool_calls = toolCalls;
  const usage = openAIUsageOf(message.usage);
  const completion = {
    id: typeof message.id === 'string' ? message.id : 'msg_unknown',
    object: 'chat.completion',
    created,
    model: typeof message.model === 'string' ? message.model : 'unknown',
    choices: [{ index: 0, message: reply, logprobs: null, finish_reason: finishReasonOf(message.stop_reason) }],
    usage,
  };
  return { completion, usage };
}
