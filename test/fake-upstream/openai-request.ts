import type { Exchange } from './exchange.ts';
import { openAiErrorForStatus, unparsableJsonError } from './openai-errors.ts';
import { applyCommonBehaviour, sendJson } from './respond.ts';
import { bodyObject, hasJsonObjectBody } from './route.ts';
import type { Behaviour } from './types.ts';

/**
 * The start every OpenAI-shaped scripted route shares: the scripted status, latency, raw body
 * or hang first, then a JSON object body. Returns the body and whether a stream was asked
 * for, or undefined when the exchange was already answered.
 */
export async function openAiRequest(ex: Exchange, b: Behaviour): Promise<{ body: Record<string, unknown>; requestedStream: boolean } | undefined> {
  const body = bodyObject(ex);
  const requestedStream = body.stream === true;
  if (await applyCommonBehaviour(ex, b, { streaming: requestedStream, errorBodyFor: openAiErrorForStatus })) return undefined;
  if (!hasJsonObjectBody(ex)) {
    sendJson(ex, {}, 400, unparsableJsonError());
    return undefined;
  }
  return { body, requestedStream };
}
