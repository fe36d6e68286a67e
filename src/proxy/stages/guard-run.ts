import type { Logger } from 'pino';
import type { Config, RunsConfig } from '../../config/schema.ts';
import type { PriceBook } from '../../metering/pricing.ts';
import { requestFingerprint } from '../../metering/runs/request-fingerprint.ts';
import { runEndedError } from '../../metering/runs/run-errors.ts';
import type { RecordOutcome, RunEnd, RunKey, RunLimits, RunStore } from '../../metering/runs/run-types.ts';
import { watchToolCalls } from '../../metering/runs/stream-tool-calls.ts';
import { toolCallsOfCompletion, type ProposedToolCall } from '../../metering/runs/tool-calls.ts';
import type { Usage } from '../../metering/usage.ts';
import { answerJson } from '../answer-json.ts';
import type { RequestCtx, Stage } from '../context.ts';
import type { GatewayError } from '../errors.ts';

export interface GuardRunOptions {
  readonly tenants: Config['tenants'];
  readonly store: RunStore;
  readonly prices: PriceBook;
  readonly logger: Logger;
  /** Where tool-call audit lines go (`telemetry.audit`); the main log when unset. */
  readonly audit?: Logger;
  /** Epoch ms; tests pass their own clock. */
  readonly now?: () => number;
}

/**
 * Per-run guards for agents (chat only). A step is admitted atomically before the call
 * (refused when the run was ended, is over a limit, or re-sends a request already served
 * too often) and recorded after it: tokens and cost of the target that answered, and the
 * tool calls the model proposed, each written to the audit log. An answer whose tool calls
 * end the run (a loop, or too many calls) is replaced by the 429 when it is JSON; a stream
 * is past its commit point, so it completes and the run's next step is refused.
 */
export function guardRun(options: GuardRunOptions): Stage {
  const { store, prices, logger } = options;
  const audit = options.audit ?? logger;
  const now = options.now ?? Date.now;
  const limitsOf = new Map<string, RunLimits>();
  for (const [tenant, spec] of Object.entries(options.tenants)) if (spec.runs) limitsOf.set(tenant, runLimits(spec.runs));

  return async function guardRun(ctx, next) {
    const limits = limitsOf.get(ctx.tenant!.name);
    if (limits === undefined) return next();
    const runId = ctx.runId;
    if (runId === undefined) return next();

    const key: RunKey = { tenant: ctx.tenant!.name, runId };
    const fingerprint = limits.maxRepeats === undefined ? undefined : requestFingerprint(ctx.body!);
    const admission = await store.admit(key, limits, fingerprint, now());
    if (!admission.ok) throw refusal(ctx, runId, admission.end);
    const step = admission.step;
    ctx.runStep = step;
    ctx.responseHeaders['x-tollgate-run-step'] = String(step);

    /** Records the served step; never throws (the answer is paid for, so it is relayed). */
    const settle = async (usage: Usage | undefined, calls: ProposedToolCall[], served: boolean): Promise<RecordOutcome | undefined> => {
      let outcome: RecordOutcome | undefined;
      try {
        const tokens = usage?.totalTokens ?? 0;
        const usd = usage === undefined || ctx.target === undefined ? 0 : prices.cost(ctx.target.model, usage).usd;
        const toolCalls = calls.map((c) => ({ name: c.name, identity: c.identity }));
        // Only an answered request counts towards "the same request again".
        const answered = served ? fingerprint : undefined;
        outcome = await store.record(key, limits, { step, tokens, usd, toolCalls, fingerprint: answered }, now());
      } catch (err) {
        logger.warn({ reqId: ctx.id, tenant: key.tenant, runId, step, err: (err as Error).message }, 'run step could not be recorded');
      }
      calls.forEach((call, i) => {
        audit.info(
          { audit: 'tool_call', reqId: ctx.id, tenant: key.tenant, runId, step, tool: call.name, argsHash: call.argsHash, repeat: outcome?.repeats[i] },
          'tool call proposed',
        );
      });
      return outcome;
    };

    const result = await next();
    if (result.kind === 'json') {
      const outcome = await settle(ctx.usage, toolCallsOfCompletion(answerJson(result, '"tool_calls"')), result.status === 200);
      // The model is looping (or over its tool-call allowance): do not hand it the calls to run.
      if (outcome?.endedNow) throw refusal(ctx, runId, outcome.end!);
      return result;
    }
    const events = watchToolCalls(result.events, async (calls) => {
      await settle(await result.usage.catch(() => undefined), calls, true);
    });
    return { ...result, events };
  };
}

function refusal(ctx: RequestCtx, runId: string, end: RunEnd): GatewayError {
  // Resending a stopped run's step cannot succeed: tell OpenAI SDKs not to retry the 429.
  ctx.responseHeaders['x-should-retry'] = 'false';
  return runEndedError(runId, end);
}

function runLimits(spec: RunsConfig): RunLimits {
  return {
    maxSteps: spec.maxSteps,
    maxTokens: spec.maxTokens,
    maxUsd: spec.maxUsd,
    maxToolCalls: spec.maxToolCalls,
    maxRepeats: spec.maxRepeatedToolCalls,
    idleTimeoutMs: spec.idleTimeout,
  };
}
