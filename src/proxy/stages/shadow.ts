import type { ModelTable } from '../../router/model-table.ts';
import { StreamedAnswer, summarizeCompletion } from '../../router/answer-summary.ts';
import type { PrimaryOutcome, ShadowTraffic } from '../../router/shadow-traffic.ts';
import { answerJson } from '../answer-json.ts';
import type { RequestCtx, Stage } from '../context.ts';
import { toGatewayError } from '../errors.ts';
import { tapStream } from '../stream-tap.ts';

/**
 * Mirrors a sample of an alias's chat requests to its shadow target once the client's own
 * answer is ready (JSON) or has started (stream). The client's result passes through
 * unchanged: a stream is only watched, to assemble the answer for the comparison.
 */
export function shadow(models: ModelTable, traffic: ShadowTraffic): Stage {
  return async function shadow(ctx, next) {
    const target = ctx.alias === undefined ? undefined : models.get(ctx.alias)?.shadow;
    if (target === undefined || !traffic.picks(target)) return next();
    const result = await next();
    const body = ctx.body!;
    const mirror = { reqId: ctx.id, alias: ctx.alias!, body, target };
    if (result.kind === 'json') {
      const answer = result.status === 200 ? summarizeCompletion(answerJson(result)) : undefined;
      traffic.mirror({ ...mirror, primary: Promise.resolve(outcome(ctx, result.status, answer)) });
      return result;
    }
    const assembled = new StreamedAnswer();
    const { promise, resolve } = Promise.withResolvers<PrimaryOutcome>();
    const events = tapStream(result.events, {
      map(event) {
        assembled.add(event);
        return event;
      },
      end(end) {
        const error = end.error === undefined ? undefined : toGatewayError(end.error);
        // 499: the client left mid-stream (the request log's convention).
        const status = end.cancelled ? 499 : (error?.status ?? 200);
        const answer = status === 200 ? assembled.summary() : undefined;
        void result.usage.then((usage) => resolve({ ...outcome(ctx, status, answer, error?.publicCode), usage }));
      },
    });
    traffic.mirror({ ...mirror, primary: promise });
    return { ...result, events };
  };
}

function outcome(ctx: RequestCtx, status: number, answer: PrimaryOutcome['answer'], code?: string): PrimaryOutcome {
  return {
    provider: ctx.target?.provider.name,
    model: ctx.target?.model,
    status,
    code,
    latencyMs: performance.now() - ctx.startedAt,
    usage: ctx.usage,
    answer,
  };
}
