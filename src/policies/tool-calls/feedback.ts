import type { AnswerCheck } from './answer-check.ts';
import { capErrors, isRecord } from './validate.ts';

// The messages a repair appends to the conversation before asking again: the model's own
// invalid turn, then the validator's errors where the model looks for results. Tool calls
// get one `tool` message each (OpenAI requires an answer per call id): the errors for an
// invalid call, "not run" for a valid one in the same turn. A text answer that broke its
// `response_format` schema gets a user message with the errors.

export interface AssembledCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

export interface AssembledTurn {
  readonly content: string | null;
  readonly calls: readonly AssembledCall[];
}

export function feedbackMessages(turn: AssembledTurn, check: AnswerCheck): Record<string, unknown>[] {
  if (turn.calls.length === 0) {
    const errors = check.checkText(turn.content ?? '').errors;
    return [
      { role: 'assistant', content: turn.content ?? '' },
      { role: 'user', content: `Your answer does not match the required JSON schema:\n${errors.map((e) => `- ${e}`).join('\n')}\nAnswer again with JSON that matches the schema.` },
    ];
  }
  const calls = turn.calls.map((call, i) => ({ ...call, id: call.id === '' ? `call_repair_${i}` : call.id }));
  const replies = calls.map((call, i) => {
    const verdict = check.tools.check(call, i);
    const content = verdict.valid
      ? 'Not run: another tool call in this turn was invalid. Make this call again if it is still needed.'
      : `Invalid tool call, not run:\n${capErrors(verdict.errors).map((e) => `- ${e}`).join('\n')}\nCall the tool again with arguments that match its schema, or use only the tools offered.`;
    return { role: 'tool', tool_call_id: call.id, content };
  });
  return [
    { role: 'assistant', content: turn.content, tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) },
    ...replies,
  ];
}

/** The first choice of a non-streamed completion as a turn to feed back. */
export function turnOfCompletion(completion: unknown): AssembledTurn {
  const choice = isRecord(completion) && Array.isArray(completion.choices) ? completion.choices[0] : undefined;
  const message = isRecord(choice) && isRecord(choice.message) ? choice.message : {};
  const rawCalls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  return {
    content: typeof message.content === 'string' ? message.content : null,
    calls: rawCalls.map((c) => {
      const fn = isRecord(c) && isRecord(c.function) ? c.function : {};
      return {
        id: isRecord(c) && typeof c.id === 'string' ? c.id : '',
        name: typeof fn.name === 'string' ? fn.name : '',
        arguments: typeof fn.arguments === 'string' ? fn.arguments : '',
      };
    }),
  };
}
