import type { RequestCtx } from '../proxy/context.ts';
import type { Metrics } from './metrics.ts';
import { operationOf } from './request-facts.ts';

// Turns one finished request's context into metric observations. Called once per request
// at the edge (the logRequest stage), when the response is really over.

const RUN_GUARD_CODES = new Set(['run_budget_exceeded', 'agent_loop_detected']);

export interface RequestOutcome {
  /** The status logged: 499 when the client left first. */
  readonly status: number;
  readonly code: string | undefined;
}

/** `aliases`: configured model aliases; the alias a client asked for is a label only when it is one. */
export function recordRequest(metrics: Metrics, aliases: ReadonlySet<string>, ctx: RequestCtx, outcome: RequestOutcome): void {
  const nowMs = performance.now();
  const tenant = ctx.tenant?.name ?? '';
  const alias = ctx.alias !== undefined && aliases.has(ctx.alias) ? ctx.alias : '';
  const stream = ctx.stream ? 'true' : 'false';
  metrics.requests.inc({ endpoint: ctx.endpoint, tenant, alias, status: String(outcome.status), code: outcome.code ?? '', stream });
  recordAttempts(metrics, alias, ctx);
  for (const v of ctx.verdicts) {
    metrics.verdicts.inc({ tenant, policy: v.policy, action: v.action, mode: v.mode });
    if (v.tool !== undefined) metrics.toolCalls.inc({ tenant, action: v.action });
  }
  if (ctx.cache !== undefined) {
    metrics.cacheRequests.inc({ tenant, alias, result: ctx.cache.status });
    if (ctx.cache.savedUsd !== undefined && ctx.cache.savedUsd > 0) metrics.cacheSaved.inc({ tenant, alias }, ctx.cache.savedUsd);
  }
  if (outcome.code !== undefined && RUN_GUARD_CODES.has(outcome.code)) metrics.runGuardStops.inc({ tenant, code: outcome.code });

  const totalMs = nowMs - ctx.startedAt;
  if (ctx.firstByteMs !== undefined) {
    // JSON: everything but the upstream calls; a stream: the time to its commit point minus upstream's share.
    const gatewayMs = (ctx.stream ? ctx.firstByteMs : totalMs) - ctx.upstreamMs;
    metrics.overhead.observe({ endpoint: ctx.endpoint, stream }, Math.max(0, gatewayMs) / 1000);
  }
  const target = ctx.target;
  if (target === undefined || ctx.firstByteMs === undefined) return;
  const genAi = {
    gen_ai_operation_name: operationOf(ctx.endpoint),
    gen_ai_provider_name: target.provider.name,
    gen_ai_request_model: target.model,
    gen_ai_response_model: target.model,
    tenant,
    alias,
  };
  metrics.requestDuration.observe(genAi, totalMs / 1000);
  metrics.timeToFirstToken.observe(genAi, ctx.firstByteMs / 1000);
  const usage = ctx.usage;
  if (usage !== undefined) {
    metrics.tokenUsage.observe({ ...genAi, gen_ai_token_type: 'input' }, usage.promptTokens);
    if (ctx.endpoint === 'chat') metrics.tokenUsage.observe({ ...genAi, gen_ai_token_type: 'output' }, usage.completionTokens);
    if (ctx.stream && usage.completionTokens > 1) metrics.timePerOutputToken.observe(genAi, (totalMs - ctx.firstByteMs) / 1000 / (usage.completionTokens - 1));
  }
  if (ctx.costUsd !== undefined && ctx.costUsd > 0) metrics.cost.inc({ tenant, alias, provider: target.provider.name, model: target.model }, ctx.costUsd);
  if (ctx.runStep !== undefined) {
    metrics.runSteps.inc({ tenant });
    if (ctx.runStep === 1) metrics.runsStarted.inc({ tenant });
    if (usage !== undefined) metrics.runTokens.inc({ tenant }, usage.totalTokens);
    if (ctx.costUsd !== undefined && ctx.costUsd > 0) metrics.runCost.inc({ tenant }, ctx.costUsd);
    metrics.runStepDuration.observe({ tenant }, totalMs / 1000);
  }
}

/** Each attempt's outcome; a repeat on the same target is a retry, a move to another a fallback. */
function recordAttempts(metrics: Metrics, alias: string, ctx: RequestCtx): void {
  let previous: string | undefined;
  for (const attempt of ctx.attempts) {
    metrics.attempts.inc({ target: attempt.target, outcome: String(attempt.outcome) });
    if (previous === attempt.target) metrics.retries.inc({ target: attempt.target });
    else if (previous !== undefined) metrics.fallbacks.inc({ alias, from: previous, to: attempt.target });
    previous = attempt.target;
  }
}
