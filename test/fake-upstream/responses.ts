// POST /v1/responses: OpenAI's Responses API in its native shape, JSON or semantic SSE events
// (no [DONE]: the stream ends after response.completed); scripted errors like every route.
import type { Exchange } from './exchange.ts';
import { openAiRequest } from './openai-request.ts';
import { answersAsStream, sendJson } from './respond.ts';
import { buildResponse, buildResponseEvents, type NativeAnswer } from './responses-shapes.ts';
import type { Route } from './route.ts';
import { streamSse } from './sse.ts';
import { estimateTokens } from './text-pieces.ts';
import type { Behaviour } from './types.ts';

export const NATIVE_CONTENT = 'Hello from the fake Responses API.';

function answerFor(ex: Exchange, b: Behaviour, body: Record<string, unknown>): NativeAnswer {
  const toolCalls = b.toolCalls ?? [];
  const content = b.content ?? (toolCalls.length > 0 ? null : NATIVE_CONTENT);
  return {
    id: `fake${String(ex.seq).padStart(8, '0')}`,
    model: typeof body.model === 'string' ? body.model : 'fake-model',
    content,
    toolCalls,
    inputTokens: b.usage?.prompt_tokens ?? estimateTokens(JSON.stringify(body.input ?? '')),
    outputTokens: b.usage?.completion_tokens ?? estimateTokens(content ?? '') + toolCalls.reduce((n, c) => n + estimateTokens(c.name + c.arguments), 0),
    request: body,
  };
}

export const responsesRoute: Route = {
  method: 'POST',
  path: '/v1/responses',
  scripted: true,
  async handle(ex, b) {
    const request = await openAiRequest(ex, b);
    if (request === undefined) return;
    const { body, requestedStream } = request;
    const answer = answerFor(ex, b, body);
    if (!answersAsStream(requestedStream, b)) {
      await sendJson(ex, b, 200, buildResponse(answer), b.contentType);
      return;
    }
    const error = { type: 'error', code: 'server_error', message: 'The fake Responses API failed mid-stream.', param: null, sequence_number: 0 };
    await streamSse(ex, b, { events: buildResponseEvents(answer, b.chunks ?? 4), errorEvent: { event: 'error', data: JSON.stringify(error) } });
  },
};
