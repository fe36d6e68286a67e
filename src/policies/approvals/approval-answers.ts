import type { SseEvent } from '../../providers/types.ts';
import type { ApprovalRecord, HeldToolCall } from './approval-types.ts';

// What the agent and the model are told: the assistant turn that says a call awaits
// approval, the released turn (the model's tool calls, as if just proposed), the note a
// refused turn leaves in the conversation, and any completion written as a stream.

/** Identity fields copied from the upstream answer when there is one. */
export interface AnswerMeta {
  readonly id?: string;
  readonly created?: number;
  readonly model: string;
}

type Completion = Record<string, unknown>;

const names = (calls: readonly { name: string }[]) => [...new Set(calls.map((c) => `"${c.name}"`))].join(', ');

export function awaitingText(record: ApprovalRecord): string {
  return (
    `The action ${names(record.calls)} awaits human approval (approval ${record.id}). ` +
    'It has not been carried out. Send this run\'s next request after a person decides; until then this answer repeats.'
  );
}

export function tooLargeText(calls: readonly { name: string }[]): string {
  return `The action ${names(calls)} was refused: its arguments are larger than the gateway holds for approval. It has not been carried out.`;
}

/** A finished assistant text turn (`finish_reason: stop`). */
export function textCompletion(text: string, meta: AnswerMeta, usage?: unknown): Completion {
  return {
    id: meta.id ?? `chatcmpl-tollgate-${Date.now()}`,
    object: 'chat.completion',
    created: meta.created ?? Math.floor(Date.now() / 1000),
    model: meta.model,
    choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}

/** The approved turn, answered without calling upstream (hence no tokens used). */
export function releasedCompletion(record: ApprovalRecord): Completion {
  return {
    id: `chatcmpl-${record.id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: record.model,
    choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: null, tool_calls: record.calls.map(toolCall) }, logprobs: null, finish_reason: 'tool_calls' }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}

/**
 * Appended to a refused run's conversation before it goes upstream: the turn the model
 * proposed, and one tool result per call saying it was not carried out and why. The model
 * then knows, in its own terms, and can carry on (apologise, try something else).
 */
export function refusalMessages(record: ApprovalRecord, why: 'rejected' | 'expired'): Record<string, unknown>[] {
  const because = why === 'expired' ? 'nobody approved it in time' : `a person rejected it${record.reason ? `: ${record.reason}` : ''}`;
  return [
    { role: 'assistant', content: null, tool_calls: record.calls.map(toolCall) },
    ...record.calls.map((call) => ({
      role: 'tool',
      tool_call_id: call.id,
      content: `Refused by the gateway (approval ${record.id}): ${because}. This call was not carried out.`,
    })),
  ];
}

/** A JSON completion from above as stream events (the role, content or tool calls, the finish, the usage when asked for). */
export function completionEvents(completion: Completion, includeUsage: boolean): SseEvent[] {
  const choice = (completion.choices as Array<{ message: Record<string, unknown>; finish_reason: string }>)[0]!;
  const head = { id: completion.id, object: 'chat.completion.chunk', created: completion.created, model: completion.model };
  const { role, content, tool_calls: calls } = choice.message as { role: string; content: string | null; tool_calls?: ReturnType<typeof toolCall>[] };
  const delta = calls === undefined ? { role, content } : { role, content: null, tool_calls: calls.map((c, index) => ({ index, ...c })) };
  const events = [
    { ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] },
    { ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: choice.finish_reason }] },
  ];
  if (includeUsage) events.push({ ...head, choices: [], usage: completion.usage } as never);
  return events.map((e) => ({ data: JSON.stringify(e) }));
}

/** The closing events of a stream whose tool calls were withheld: the note, then `finish_reason: stop`. */
export function closingEvents(text: string, meta: AnswerMeta): SseEvent[] {
  const head = { id: meta.id ?? `chatcmpl-tollgate-${Date.now()}`, object: 'chat.completion.chunk', created: meta.created ?? Math.floor(Date.now() / 1000), model: meta.model };
  return [
    { ...head, choices: [{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }] },
    { ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] },
  ].map((e) => ({ data: JSON.stringify(e) }));
}

function toolCall(call: HeldToolCall) {
  return { id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } };
}
