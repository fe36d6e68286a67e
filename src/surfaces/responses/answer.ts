import { randomBytes } from 'node:crypto';
import type { ChatMessage } from './request.ts';

// Chat answers rendered as Responses API objects, field for field as OpenAI sends them, and
// the assistant turn kept as chat messages for the next request's history.

type Json = Record<string, unknown>;

export function newId(prefix: 'resp' | 'msg' | 'fc'): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}

/** What a response echoes of its request, whatever its outcome. */
export interface ResponseFrame {
  readonly id: string;
  readonly createdAt: number;
  readonly request: Json;
}

export function newFrame(request: Json): ResponseFrame {
  return { id: newId('resp'), createdAt: Math.floor(Date.now() / 1000), request };
}

/** A Response object; `output` and `usage` are filled in as the answer arrives. */
export function responseObject(frame: ResponseFrame, status: string, model: string, output: Json[], extra: Json = {}): Json {
  const r = frame.request;
  const text = (r.text as Json | null | undefined) ?? {};
  return {
    id: frame.id,
    object: 'response',
    created_at: frame.createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: r.instructions ?? null,
    max_output_tokens: r.max_output_tokens ?? null,
    model,
    output,
    parallel_tool_calls: r.parallel_tool_calls ?? true,
    previous_response_id: r.previous_response_id ?? null,
    reasoning: r.reasoning ?? { effort: null, summary: null },
    store: r.store !== false,
    temperature: r.temperature ?? 1,
    text: { ...text, format: text.format ?? { type: 'text' } },
    tool_choice: r.tool_choice ?? 'auto',
    tools: r.tools ?? [],
    top_p: r.top_p ?? 1,
    truncation: r.truncation ?? 'disabled',
    usage: null,
    user: r.user ?? null,
    metadata: r.metadata ?? {},
    ...extra,
  };
}

export function messageItem(id: string, text: string, status: string, refusal = false): Json {
  const part = refusal ? { type: 'refusal', refusal: text } : { type: 'output_text', text, annotations: [], logprobs: [] };
  return { id, type: 'message', status, role: 'assistant', content: [part] };
}

export function functionCallItem(id: string, callId: string, name: string, args: string, status: string): Json {
  return { id, type: 'function_call', status, arguments: args, call_id: callId, name };
}

/** Chat's finish reason as a response status and its incomplete details. */
export function outcomeOf(finishReason: unknown): { status: string; incomplete_details: Json | null } {
  if (finishReason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/** Chat usage in the Responses API's names. */
export function responsesUsage(raw: unknown): Json | null {
  if (raw === null || typeof raw !== 'object') return null;
  const u = raw as Json;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const input = num(u.prompt_tokens);
  const output = num(u.completion_tokens);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: num((u.prompt_tokens_details as Json | undefined)?.cached_tokens) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: num((u.completion_tokens_details as Json | undefined)?.reasoning_tokens) },
    total_tokens: num(u.total_tokens) || input + output,
  };
}

/** A whole chat completion as a Response object. */
export function fromChatCompletion(frame: ResponseFrame, completion: Json): Json {
  const choice = ((completion.choices as Json[] | undefined) ?? [])[0] ?? {};
  const message = (choice.message as Json | undefined) ?? {};
  const output: Json[] = [];
  if (typeof message.refusal === 'string' && message.refusal !== '') output.push(messageItem(newId('msg'), message.refusal, 'completed', true));
  else if (typeof message.content === 'string' && message.content !== '') output.push(messageItem(newId('msg'), message.content, 'completed'));
  for (const call of (message.tool_calls as Json[] | undefined) ?? []) {
    const fn = (call.function as Json | undefined) ?? {};
    output.push(functionCallItem(newId('fc'), String(call.id ?? newId('fc')), String(fn.name ?? ''), String(fn.arguments ?? ''), 'completed'));
  }
  const model = typeof completion.model === 'string' ? completion.model : String(frame.request.model);
  return responseObject(frame, 'completed', model, output, { ...outcomeOf(choice.finish_reason), usage: responsesUsage(completion.usage) });
}

/** The assistant turn of a response, as the chat messages the next turn's history needs. */
export function assistantMessages(response: Json): ChatMessage[] {
  let text = '';
  const calls: Json[] = [];
  for (const item of (response.output as Json[] | undefined) ?? []) {
    if (item.type === 'message') {
      for (const part of (item.content as Json[] | undefined) ?? []) text += String(part.text ?? part.refusal ?? '');
    } else if (item.type === 'function_call') {
      calls.push({ id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } });
    }
  }
  if (text === '' && calls.length === 0) return [];
  const message: ChatMessage = { role: 'assistant', content: text === '' ? null : text };
  if (calls.length > 0) message.tool_calls = calls;
  return [message];
}
