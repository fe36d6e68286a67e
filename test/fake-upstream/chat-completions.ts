// POST /v1/chat/completions: JSON or SSE depending on the request's `stream`, shaped like OpenAI.
import { buildChunks, buildCompletion, chatUsage, type ChatAnswer } from './chat-completion-shapes.ts';
import { openAiRequest } from './openai-request.ts';
import type { Exchange } from './exchange.ts';
import { openAiErrorForStatus } from './openai-errors.ts';
import { answersAsStream, sendJson } from './respond.ts';
import type { Route } from './route.ts';
import { streamSse } from './sse.ts';
import { estimateTokens } from './text-pieces.ts';
import type { Behaviour } from './types.ts';

export const DEFAULT_CONTENT = 'Hello from fake upstream.';
export const DEFAULT_CHUNKS = 4;
const DEFAULT_MODEL = 'fake-model';
const MAX_CHOICES = 128;

function requestedChoices(body: Record<string, unknown>): number {
  const n = body.n;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_CHOICES ? n : 1;
}

function answerFor(ex: Exchange, b: Behaviour, body: Record<string, unknown>): ChatAnswer {
  const toolCalls = b.toolCalls ?? [];
  // Text defaults on unless the answer is tool calls only, where the real API sends content: null.
  const content = b.content ?? (toolCalls.length > 0 ? null : DEFAULT_CONTENT);
  const choices = requestedChoices(body);
  const perChoiceTokens =
    estimateTokens(content ?? '') + toolCalls.reduce((sum, c) => sum + estimateTokens(c.name + c.arguments), 0);
  const usage = b.usage ?? {
    prompt_tokens: estimateTokens(JSON.stringify(body.messages ?? [])),
    completion_tokens: perChoiceTokens * choices,
  };
  return {
    id: `chatcmpl-fake${String(ex.seq).padStart(8, '0')}`,
    created: Math.floor(Date.now() / 1000),
    model: typeof body.model === 'string' ? body.model : DEFAULT_MODEL,
    choices,
    content,
    toolCalls,
    toolCallIdPrefix: `call_fake${ex.seq}`,
    usage: chatUsage(usage.prompt_tokens, usage.completion_tokens),
  };
}

export const chatCompletionsRoute: Route = {
  method: 'POST',
  path: '/v1/chat/completions',
  scripted: true,
  async handle(ex, b) {
    const request = await openAiRequest(ex, b);
    if (request === undefined) return;
    const { body, requestedStream } = request;
    const answer = answerFor(ex, b, body);
    if (!answersAsStream(requestedStream, b)) {
      await sendJson(ex, b, 200, buildCompletion(answer), b.contentType);
      return;
    }
    const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
    const includeUsage = streamOptions?.include_usage === true;
    const chunks = buildChunks(answer, b.chunks ?? DEFAULT_CHUNKS, includeUsage);
    await streamSse(ex, b, {
      events: chunks.map((c) => ({ data: JSON.stringify(c) })),
      terminator: { data: '[DONE]' },
      errorEvent: { data: JSON.stringify(openAiErrorForStatus(500)) },
    });
  },
};
