import type { Logger } from 'pino';
import type { JsonResult, Stage } from '../context.ts';
import { GatewayError, toGatewayError } from '../errors.ts';

/** Anything a later stage throws becomes an OpenAI error envelope; this stage cannot throw. */
export function catchErrors(logger: Logger): Stage {
  return async function catchErrors(ctx, next) {
    try {
      return await next();
    } catch (thrown) {
      const error = toGatewayError(thrown);
      ctx.error = error;
      if (error.code === 'internal_error') logger.error({ reqId: ctx.id, err: thrown }, 'internal error');
      return errorResult(error);
    }
  };
}

export function errorResult(error: GatewayError): JsonResult {
  const headers: Record<string, string> = {};
  if (error.retryAfter !== undefined) headers['retry-after'] = error.retryAfter;
  // The body of an oversized request was not read: close instead of draining it.
  if (error.code === 'request_too_large') headers.connection = 'close';
  return { kind: 'json', status: error.status, body: error.toEnvelope(), headers };
}
