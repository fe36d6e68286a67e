import type { UpstreamCall } from '../../providers/types.ts';
import { formatAttempts, headerSafe } from '../../router/attempts.ts';
import { callWithFallback, type CallTimeouts } from '../../router/fallback-loop.ts';
import type { ResolvedTarget } from '../../router/model-table.ts';
import type { Router } from '../../router/router.ts';
import { runKeyOf } from '../../router/run-affinity.ts';
import { routingOf } from '../../router/target-routing.ts';
import type { RequestCtx, Stage } from '../context.ts';
import { tapStream } from '../stream-tap.ts';
import { relayChatStream } from '../usage-relay.ts';
import { callEndpoint } from './call-endpoint.ts';
import type { AttemptTrace } from '../../telemetry/request-facts.ts';
import { passThroughTraceHeaders } from '../../telemetry/trace-headers.ts';

/**
 * Sends the request through the fallback loop over the plan's targets and returns the
 * first answer: JSON, or a stream past its commit point. The response says which target
 * served it (`x-tollgate-model`) and what each attempt did (`x-tollgate-attempts`).
 */
export function callUpstream(router: Router): Stage {
  return async function callUpstream(ctx) {
    let streamSpan: AttemptTrace | undefined;
    const attempt = async (target: ResolvedTarget, timeouts: CallTimeouts) => {
      ctx.target = target;
      const traced = ctx.trace?.attempt(target);
      const call = upstreamCall(ctx, target, timeouts, traced?.headers ?? passThroughTraceHeaders(ctx.incoming.headers));
      // Time inside the upstream call (up to the answer, or a stream's first event) is not the gateway's overhead.
      const started = performance.now();
      try {
        const reply = await (ctx.native?.call(target, call, ctx.stream) ?? callEndpoint(ctx.endpoint, target, call, ctx.stream));
        if (reply.kind === 'stream') streamSpan = traced;
        else traced?.end(200);
        return reply;
      } catch (err) {
        traced?.end((err as { status?: number }).status ?? 'error', err);
        throw err;
      } finally {
        ctx.upstreamMs += performance.now() - started;
      }
    };
    const loop = { plan: ctx.plan!, signal: ctx.signal, stream: ctx.stream, startedAt: ctx.startedAt, attempts: ctx.attempts };
    let served;
    try {
      served = await callWithFallback(loop, router, attempt);
    } finally {
      ctx.responseHeaders['x-tollgate-attempts'] = formatAttempts(ctx.attempts);
    }
    const { reply, target, release } = served;
    ctx.target = target;
    ctx.servedNative = ctx.native?.speaks(target) ?? false;
    ctx.firstByteMs = performance.now() - ctx.startedAt;
    const routing = routingOf(target);
    ctx.responseHeaders['x-tollgate-model'] = headerSafe(routing.key);
    // Only a weighted choice can move a run, so only those are remembered.
    if (routing.weight !== undefined && ctx.runId !== undefined) router.runs.pin(runKeyOf(ctx.tenant!.name, ctx.runId), ctx.plan!.alias, routing.key);

    if (reply.kind === 'json') {
      release();
      ctx.usage = reply.usage;
      return { kind: 'json', status: 200, body: undefined, bytes: reply.bytes };
    }
    // The concurrency slot is held until the stream ends, however it ends.
    const held = tapStream(reply.events, {
      end(outcome) {
        release();
        streamSpan?.end(outcome.error === undefined ? 200 : ((outcome.error as { status?: number }).status ?? 'error'), outcome.error);
      },
    });
    const relayed = ctx.servedNative ? ctx.native!.relayStream(held) : relayChatStream(held, ctx.clientWantsUsage, ctx.body!);
    return { kind: 'stream', events: relayed.events, usage: relayed.usage };
  };
}

function upstreamCall(ctx: RequestCtx, target: ResolvedTarget, timeouts: CallTimeouts, traceHeaders: Record<string, string> | undefined): UpstreamCall {
  const body: Record<string, unknown> = { ...ctx.body, model: target.model };
  // Always ask for usage so every stream can be metered; the client still gets only what it asked for.
  if (ctx.stream && ctx.endpoint !== 'moderations') body.stream_options = { ...(body.stream_options as object | null | undefined), include_usage: true };
  return { body, requestId: ctx.id, signal: ctx.signal, timeouts, traceHeaders };
}
