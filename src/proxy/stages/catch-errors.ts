import type { JsonResult, Stage } from '../context.ts';
import { toGatewayError } from '../errors.ts';
import type { GatewayError } from '../errors.ts';

/**
 * Anything a later stage throws becomes an OpenAI error envelope; this stage cannot throw.
 * The error goes on the context: logRequest writes it (an internal one with its stack).
 */
export function catchErrors(): Stage {
  return async function catchErrors(ctx, next) {
    try {
      return await next();
    } catch (thrown) {
      const error = toGatewayError(thrown);
      ctx.error = error;
      return errorResult(error);
    }
  };
}

export function errorResult(error: GatewayError): JsonResult {
  const headers: Record<string, string> = {};
  if (error.retryAfter !== undefined) headers['retry-after'] = error.retryAfter;
  // A client too slow to send its body is not kept. A refused body that is still arriving
  // (413, 503) is read and discarded by the server before the connection is reused or closed,
  // so the client sees this answer rather than a reset.
  if (error.code === 'request_timeout') headers.connection = 'close';
  return { kind: 'json', status: error.status, body: error.toEnvelope(), headers };
}
