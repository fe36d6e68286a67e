import { answerJson } from '../../proxy/answer-json.ts';
import type { Result, Stage } from '../../proxy/context.ts';
import { GatewayError } from '../../proxy/errors.ts';
import { toChatRequest } from './request.ts';
import { toMessagesAnswer } from './response.ts';
import { toMessagesEvents } from './stream.ts';
import { ANTHROPIC_WIRE } from './wire.ts';

/**
 * The Messages surface's one stage, right after parsing: the body becomes an ordinary chat
 * request for every later stage, and the pipeline's answer (JSON or stream) is rendered back
 * in Anthropic's shape on the way out. Errors are rendered by catchErrors (ctx.surface).
 */
export function messagesSurface(): Stage {
  return async function messagesSurface(ctx, next) {
    const requested = typeof ctx.body!.model === 'string' ? ctx.body!.model : '';
    ctx.body = toChatRequest(ctx.body!, { requireMaxTokens: true });
    return render(await next(), requested);
  };
}

function render(result: Result, requestedModel: string): Result {
  if (result.kind === 'stream') return { ...result, events: toMessagesEvents(result.events, requestedModel), wire: ANTHROPIC_WIRE };
  if (result.status !== 200) return result;
  const completion = answerJson(result) ?? parseWhole(result.bytes);
  if (completion === undefined) throw new GatewayError('upstream_error', 'The provider answered with a body that is not JSON.');
  return { kind: 'json', status: 200, body: toMessagesAnswer(completion, requestedModel), headers: result.headers };
}

/** Past answerJson's size for shared parses, but still within the provider's maxResponseBytes. */
function parseWhole(bytes: Uint8Array | undefined): unknown {
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
}
