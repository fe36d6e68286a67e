import type { BudgetLedger } from '../../metering/budget-ledger.ts';
import { rateLimitHeaders, refusalError } from '../../metering/budget-response.ts';
import { usdToUnits, type TenantBudgets } from '../../metering/limits.ts';
import type { PriceBook } from '../../metering/pricing.ts';
import { estimateTokens, type Usage } from '../../metering/usage.ts';
import type { WorstCase } from '../../metering/worst-case.ts';
import type { JsonResult, RequestCtx, Result, Stage } from '../context.ts';

export interface MeterBudgetOptions {
  readonly ledger: BudgetLedger;
  readonly budgets: TenantBudgets;
  readonly prices: PriceBook;
  /** Output tokens reserved (and sent upstream as max_completion_tokens) when the client sets none. */
  readonly defaultMaxTokens: number;
}

/**
 * Prices every response and enforces the tenant's limits as a reservation around the call:
 * reserve the worst case against every limit at once (429 without calling upstream when it
 * does not fit), then settle what was really used: for JSON before answering, for streams
 * when the stream ends however it ends (finished, broken, or abandoned by the client).
 */
export function meterBudget(options: MeterBudgetOptions): Stage {
  const { ledger, budgets, prices } = options;
  // Token counting's code is loaded when a gateway builds its pipeline, not by every CLI
  // command that imports the server (the tokenizers' tables load later, on their first count).
  const metering = import('../../metering/worst-case.ts');
  metering.catch(() => {}); // a failure surfaces at the first request that awaits it

  const price = (ctx: RequestCtx, usage: Usage | undefined): number => {
    const model = ctx.target?.model;
    if (usage === undefined || model === undefined) return 0;
    const cost = prices.cost(model, usage);
    ctx.costUsd = cost.usd;
    ctx.priced = cost.priced;
    return usdToUnits(cost.usd);
  };

  return async function meterBudget(ctx, next) {
    const tenant = ctx.tenant!.name;
    const limits = budgets.applicable(tenant, ctx.alias!);
    if (limits.length === 0) {
      // No limits: only price the answer.
      const result = await next();
      if (result.kind === 'stream') return { ...result, usage: result.usage.then((used) => (price(ctx, used), used)) };
      price(ctx, ctx.usage);
      return result;
    }

    const { worstCase, actualAmounts } = await metering;
    const worst = worstCase(
      {
        endpoint: ctx.endpoint,
        body: ctx.body!,
        targets: ctx.plan!.targets,
        defaultMaxTokens: options.defaultMaxTokens,
        outputBounded: limits.some((l) => l.measure === 'tokens' || l.measure === 'output_tokens' || l.measure === 'usd'),
      },
      prices,
    );
    // Without a client limit the output would be unbounded: cap it at what is reserved, so
    // what is settled can never exceed what was reserved.
    // (Legacy completions know only `max_tokens`.)
    if (worst.capOutput !== undefined) ctx.body = { ...ctx.body, [ctx.endpoint === 'completions' ? 'max_tokens' : 'max_completion_tokens']: worst.capOutput };

    const held = await ledger.reserve(tenant, limits, worst.amounts);
    Object.assign(ctx.responseHeaders, rateLimitHeaders(held.statuses, ledger.now()));
    if (!held.ok) throw refusalError(held.refused, worst.amounts, ledger.now());
    const { reservation } = held;

    let result: Result;
    try {
      result = await next();
    } catch (err) {
      // Failed before an answer: the request counts, no tokens do.
      await ledger.settle(reservation, actualAmounts(ctx.usage, price(ctx, ctx.usage)));
      throw err;
    }
    if (result.kind === 'json') {
      ctx.usage ??= estimatedUsage(result, worst);
      await ledger.settle(reservation, actualAmounts(ctx.usage, price(ctx, ctx.usage)));
      return result;
    }
    const usage = result.usage.then((reported) => {
      const used = reported.source === 'estimated' ? boundedEstimate(reported, worst) : reported;
      // Not awaited: the stream has ended and nothing waits on the store.
      void ledger.settle(reservation, actualAmounts(used, price(ctx, used)));
      return used;
    });
    return { ...result, usage };
  };
}

/**
 * A stream cut before the provider's usage arrived is estimated; the prompt was counted
 * exactly for the reservation, and the reply cannot have exceeded the output cap, so the
 * estimate stays within what was reserved.
 */
function boundedEstimate(estimate: Usage, worst: WorstCase): Usage {
  const completion = Math.min(estimate.completionTokens, worst.outputTokens);
  return { promptTokens: worst.inputTokens, completionTokens: completion, totalTokens: worst.inputTokens + completion, source: 'estimated' };
}

/** A provider answered without usage: count the prompt as reserved and estimate the reply from its size. */
function estimatedUsage(result: JsonResult, worst: WorstCase): Usage {
  const body = result.body as { choices?: unknown } | null;
  const replyChars = result.bytes?.byteLength ?? JSON.stringify(body?.choices ?? '').length;
  const completion = Math.min(worst.outputTokens, estimateTokens(replyChars));
  return { promptTokens: worst.inputTokens, completionTokens: completion, totalTokens: worst.inputTokens + completion, source: 'estimated' };
}
