import { anthropicErrorEnvelope } from '../../surfaces/anthropic/errors.ts';
import type { JsonResult, Stage, Surface } from '../context.ts';
import { toGatewayError } from '../errors.ts';
import type { GatewayError } from '../errors.ts';

/**
 * Anything a later stage throws becomes an error envelope in the client's surface (OpenAI's,
 * or Anthropic's on /v1/messages); this stage cannot throw.
 * The error goes on the context: logRequest writes it (an internal one with its stack).
 */
export function catchErrors(): Stage {
  return async function catchErrors(ctx, next) {
    try {
      return await next();
    } catch (thrown) {
      const error = toGatewayError(thrown);
      ctx.error = error;
      return errorResult(error, ctx.surface);
    }
  };
}

export function errorResult(error: GatewayError, surface: Surface = 'openai'): JsonResult {
  const headers: Record<string, string> = {};
  if (error.retryAfter !== undefined) headers['retry-after'] = error.retryAfter;
  // A client too slow to send its body is not kept. A refused body that is still arriving
  // (413, 503) is read and discarded by the server before the connection is reused or closed,
  // so the client sees this answer rather than a reset.
  if (error.code === 'request_timeout') headers.connection = 'close';
  const body = surface === 'anthropic' ? anthropicErrorEnvelope(error) : error.toEnvelope();
  return { kind: 'json', status: error.status, body, headers };
}
