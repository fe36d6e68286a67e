import type { Logger } from 'pino';
import type { RequestCtx, Stage } from '../context.ts';
import { toGatewayError } from '../errors.ts';
import { gatewayEndOf, type GatewayEnd } from '../gateway-end.ts';
import { tapStream } from '../stream-tap.ts';
import { routingLogFields } from '../../router/routing-log.ts';
import { formatAttempts } from '../../router/attempts.ts';
import type { RequestObserver } from '../../telemetry/telemetry.ts';

/**
 * One log line per request, written when the response is really over: for a stream, when
 * its last event went out, it failed, or it was cut. The status is the outcome: a stream
 * that failed after its headers went out is logged with its error's status; one the
 * gateway cut (drain timeout, a client that stopped reading) with the noted reason; 499
 * only when the client went away first. An internal error is logged at error level with
 * its stack, even when request lines are off.
 */
export function logRequest(logger: Logger, enabled: boolean, observer?: RequestObserver): Stage {
  return async function logRequest(ctx, next) {
    observer?.begin(ctx);
    const result = await next();
    if (result.kind === 'json') {
      // The client left before the answer was ready: whatever failed after that is not a 5xx.
      ctx.clientGone = ctx.signal.aborted;
      write(logger, enabled, ctx, result.status, undefined);
      observer?.finish(ctx, outcomeOf(ctx, result.status, undefined), result.bytes);
      return result;
    }
    observer?.streaming(ctx);
    const events = tapStream(result.events, {
      end(outcome) {
        if (outcome.error !== undefined) ctx.error = toGatewayError(outcome.error);
        const cutBy = outcome.cancelled ? gatewayEndOf(ctx.incoming) : undefined;
        ctx.clientGone = outcome.cancelled && cutBy === undefined;
        void result.usage.then((usage) => {
          ctx.usage = usage;
          write(logger, enabled, ctx, ctx.error?.status ?? 200, cutBy);
          observer?.finish(ctx, outcomeOf(ctx, ctx.error?.status ?? 200, cutBy), undefined);
        });
      },
    });
    return { ...result, events };
  };
}

function write(logger: Logger, enabled: boolean, ctx: RequestCtx, status: number, cutBy: GatewayEnd | undefined): void {
  const internal = ctx.error?.code === 'internal_error';
  if (!enabled && !internal) return;
  const usage = ctx.usage;
  const line = {
    reqId: ctx.id,
    // The API the client spoke: chat, embeddings, completions, moderations, messages, responses.
    endpoint: ctx.surface === 'openai' ? ctx.endpoint : ctx.surface === 'anthropic' ? 'messages' : 'responses',
    tenant: ctx.tenant?.name,
    alias: ctx.alias,
    ...routingLogFields(ctx.routing),
    provider: ctx.target?.provider.name,
    model: ctx.target?.model,
    stream: ctx.stream,
    ...outcomeOf(ctx, status, cutBy),
    cache: ctx.cache?.status,
    attempts: ctx.attempts.length === 0 ? undefined : formatAttempts(ctx.attempts),
    promptTokens: usage?.promptTokens,
    completionTokens: usage?.completionTokens,
    usageSource: usage?.source,
    costUsd: ctx.costUsd,
    priced: ctx.priced,
    ttfbMs: round(ctx.firstByteMs),
    latencyMs: round(performance.now() - ctx.startedAt),
  };
  if (internal) {
    logger.error({ ...line, err: ctx.error!.cause ?? ctx.error }, `request failed: ${ctx.error!.message}`);
    return;
  }
  logger.info(line, ctx.error === undefined && cutBy === undefined ? 'request' : `request failed: ${ctx.error?.message ?? cutBy!.code}`);
}

/** The status and code a request ended with, as logged and counted. */
function outcomeOf(ctx: RequestCtx, status: number, cutBy: GatewayEnd | undefined): { status: number; code: string | undefined } {
  // 499: the client closed the connection first (nginx's convention; never sent to anyone).
  return { status: cutBy?.status ?? (ctx.clientGone ? 499 : status), code: cutBy?.code ?? ctx.error?.publicCode };
}

function round(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * 100) / 100;
}
