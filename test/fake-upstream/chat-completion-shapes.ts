// Builders for OpenAI chat.completion and chat.completion.chunk objects, field for field as the real
// API sends them (including the fields clients rarely read, so pass-through gateways are tested
// against the true shape).
import { splitIntoPieces } from './text-pieces.ts';

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

/** Everything that decides one answer; built once per request by the route. */
export interface ChatAnswer {
  id: string;
  created: number;
  model: string;
  /** Number of choices (the request's `n`). */
  choices: number;
  /** null when the answer is tool calls only. */
  content: string | null;
  toolCalls: Array<{ name: string; arguments: string }>;
  /** Prefix for tool call ids; the choice and call index are appended. */
  toolCallIdPrefix: string;
  usage: ChatUsage;
}

export function chatUsage(promptTokens: number, completionTokens: number): ChatUsage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

const SYSTEM_FINGERPRINT = 'fp_fakeupstream';

function finishReason(a: ChatAnswer): 'stop' | 'tool_calls' {
  return a.toolCalls.length > 0 ? 'tool_calls' : 'stop';
}

function toolCallId(a: ChatAnswer, choice: number, call: number): string {
  return `${a.toolCallIdPrefix}_${choice}_${call}`;
}

export function buildCompletion(a: ChatAnswer): object {
  const choices = [];
  for (let index = 0; index < a.choices; index++) {
    const message: Record<string, unknown> = { role: 'assistant', content: a.content };
    if (a.toolCalls.length > 0) {
      message.tool_calls = a.toolCalls.map((call, i) => ({
        id: toolCallId(a, index, i),
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      }));
    }
    message.refusal = null;
    message.annotations = [];
    choices.push({ index, message, logprobs: null, finish_reason: finishReason(a) });
  }
  return {
    id: a.id,
    object: 'chat.completion',
    created: a.created,
    model: a.model,
    choices,
    usage: a.usage,
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

/**
 * The deltas of one choice, in OpenAI's incremental format: the role first (merged with the first
 * tool call's header when there is no text, as the real API does), then content pieces, then for
 * each tool call a header delta {index,id,type,function{name,arguments:""}} followed by argument
 * fragments. The finish chunk is added by the caller.
 */
function choiceDeltas(a: ChatAnswer, choice: number, pieces: number): object[] {
  const deltas: Array<Record<string, unknown>> = [];
  const headers = a.toolCalls.map((call, i) => ({
    index: i,
    id: toolCallId(a, choice, i),
    type: 'function',
    function: { name: call.name, arguments: '' },
  }));
  if (a.content === null && headers.length > 0) {
    deltas.push({ role: 'assistant', content: null, tool_calls: [headers[0]], refusal: null });
  } else {
    deltas.push({ role: 'assistant', content: '', refusal: null });
    for (const piece of splitIntoPieces(a.content ?? '', pieces)) deltas.push({ content: piece });
  }
  a.toolCalls.forEach((call, i) => {
    const alreadyAnnounced = i === 0 && a.content === null;
    if (!alreadyAnnounced) deltas.push({ tool_calls: [headers[i]] });
    for (const fragment of splitIntoPieces(call.arguments, pieces)) {
      deltas.push({ tool_calls: [{ index: i, function: { arguments: fragment } }] });
    }
  });
  return deltas;
}

/**
 * All chunks of a streamed answer. Choices are interleaved round-robin like the real API's n>1
 * streams. With include_usage every chunk carries `usage: null` and a final chunk with empty
 * `choices` carries the usage.
 */
export function buildChunks(a: ChatAnswer, pieces: number, includeUsage: boolean): object[] {
  const chunk = (choices: object[]) => {
    const c: Record<string, unknown> = {
      id: a.id,
      object: 'chat.completion.chunk',
      created: a.created,
      model: a.model,
      service_tier: 'default',
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices,
    };
    if (includeUsage) c.usage = null;
    return c;
  };
  const perChoice = Array.from({ length: a.choices }, (_, index) => [
    ...choiceDeltas(a, index, pieces).map((delta) => ({ index, delta, logprobs: null, finish_reason: null })),
    { index, delta: {}, logprobs: null, finish_reason: finishReason(a) },
  ]);
  const chunks: object[] = [];
  const longest = Math.max(...perChoice.map((c) => c.length));
  for (let step = 0; step < longest; step++) {
    for (const choiceChunks of perChoice) {
      const choice = choiceChunks[step];
      if (choice) chunks.push(chunk([choice]));
    }
  }
  if (includeUsage) chunks.push({ ...chunk([]), usage: a.usage });
  return chunks;
}
