// POST /v1/completions (legacy text completions) and POST /v1/moderations, shaped like OpenAI.
import type { Exchange } from './exchange.ts';
import { openAiRequest } from './openai-request.ts';
import { openAiErrorForStatus } from './openai-errors.ts';
import { answersAsStream, applyCommonBehaviour, sendJson } from './respond.ts';
import { bodyObject, type Route } from './route.ts';
import { streamSse } from './sse.ts';
import { estimateTokens, splitIntoPieces } from './text-pieces.ts';

export const COMPLETION_TEXT = ' and that is the fake completion.';

function usage(prompt: unknown, text: string) {
  const p = estimateTokens(JSON.stringify(prompt ?? ''));
  const c = estimateTokens(text);
  return { prompt_tokens: p, completion_tokens: c, total_tokens: p + c };
}

export const completionsRoute: Route = {
  method: 'POST',
  path: '/v1/completions',
  scripted: true,
  async handle(ex, b) {
    const request = await openAiRequest(ex, b);
    if (request === undefined) return;
    const { body, requestedStream } = request;
    const text = b.content ?? COMPLETION_TEXT;
    const base = { id: `cmpl-fake${ex.seq}`, object: 'text_completion', created: Math.floor(Date.now() / 1000), model: String(body.model ?? 'fake-model') };
    const used = b.usage === undefined ? usage(body.prompt, text) : { ...b.usage, total_tokens: b.usage.prompt_tokens + b.usage.completion_tokens };
    if (!answersAsStream(requestedStream, b)) {
      await sendJson(ex, b, 200, { ...base, choices: [{ text, index: 0, logprobs: null, finish_reason: 'stop' }], usage: used }, b.contentType);
      return;
    }
    const pieces = splitIntoPieces(text, b.chunks ?? 4);
    const events = pieces.map((piece, i) => ({
      data: JSON.stringify({ ...base, choices: [{ text: piece, index: 0, logprobs: null, finish_reason: i === pieces.length - 1 ? 'stop' : null }] }),
    }));
    const options = body.stream_options as { include_usage?: unknown } | undefined;
    if (options?.include_usage === true) events.push({ data: JSON.stringify({ ...base, choices: [], usage: used }) });
    await streamSse(ex, b, { events, terminator: { data: '[DONE]' }, errorEvent: { data: JSON.stringify(openAiErrorForStatus(500)) } });
  },
};

export const moderationsRoute: Route = {
  method: 'POST',
  path: '/v1/moderations',
  scripted: true,
  async handle(ex: Exchange, b) {
    if (await applyCommonBehaviour(ex, b, { streaming: false, errorBodyFor: openAiErrorForStatus })) return;
    const body = bodyObject(ex);
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const results = inputs.map((input) => {
      const flagged = typeof input === 'string' && /\bhate\b/i.test(input);
      return { flagged, categories: { hate: flagged, violence: false }, category_scores: { hate: flagged ? 0.98 : 0.01, violence: 0.01 } };
    });
    await sendJson(ex, b, 200, { id: `modr-fake${ex.seq}`, model: String(body.model ?? 'omni-moderation-latest'), results });
  },
};
