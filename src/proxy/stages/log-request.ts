import type { Logger } from 'pino';
import type { RequestCtx, Stage } from '../context.ts';
import { toGatewayError } from '../errors.ts';
import { tapStream } from '../stream-tap.ts';

/**
 * One log line per request, written when the response is really over: for a stream, when
 * its last event went out, it failed, or the client left.
 */
export function logRequest(logger: Logger, enabled: boolean): Stage {
  return async function logRequest(ctx, next) {
    const result = await next();
    if (!enabled) return result;
    if (result.kind === 'json') {
      // The client left before the answer was ready: whatever failed after that is not a 5xx.
      ctx.clientGone = ctx.signal.aborted;
      write(logger, ctx, result.status);
      return result;
    }
    const events = tapStream(result.events, {
      end(outcome) {
        if (outcome.error !== undefined) ctx.error = toGatewayError(outcome.error);
        ctx.clientGone = outcome.cancelled;
        void result.usage.then((usage) => {
          ctx.usage = usage;
          write(logger, ctx, 200);
        });
      },
    });
    return { ...result, events };
  };
}

function write(logger: Logger, ctx: RequestCtx, status: number): void {
  const usage = ctx.usage;
  logger.info(
    {
      reqId: ctx.id,
      endpoint: ctx.endpoint,
      tenant: ctx.tenant?.name,
      alias: ctx.alias,
      provider: ctx.target?.provider.name,
      model: ctx.target?.model,
      stream: ctx.stream,
      // 499: the client closed the connection first (nginx's convention; never sent to anyone).
      status: ctx.clientGone ? 499 : status,
      code: ctx.error?.publicCode,
      promptTokens: usage?.promptTokens,
      completionTokens: usage?.completionTokens,
      usageSource: usage?.source,
      costUsd: ctx.costUsd,
      priced: ctx.priced,
      ttfbMs: round(ctx.firstByteMs),
      latencyMs: round(performance.now() - ctx.startedAt),
    },
    ctx.error === undefined ? 'request' : `request failed: ${ctx.error.message}`,
  );
}

function round(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * 100) / 100;
}
