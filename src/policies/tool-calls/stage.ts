import type { Logger } from 'pino';
import { addFlags } from '../../proxy/response-flags.ts';
import type { Config, ToolCallsConfig } from '../../config/schema.ts';
import { answerJson } from '../../proxy/answer-json.ts';
import { callsNextAgain } from '../../proxy/pipeline.ts';
import type { JsonResult, RequestCtx, Result, Stage } from '../../proxy/context.ts';
import { toolPermissions } from '../tool-permissions.ts';
import { answerCheckFor, checkCompletion, type AnswerCheck } from './answer-check.ts';
import { feedbackMessages, turnOfCompletion, type AssembledTurn } from './feedback.ts';
import { addUsage, invalidError, toolCallOutcomes, type Outcome } from './outcome.ts';
import { SchemaCache } from './schema-cache.ts';
import { guardStream } from './stream-guard.ts';
import type { ToolPermitted } from './validate.ts';

// Post-policy around the upstream call: every tool call the model returns must name a tool
// the request offered and the tenant permits, with arguments that satisfy its schema (and a
// `response_format: json_schema` answer its schema). Sits just inside meterBudget, so the
// usage of every repair's extra call is added to the request's and settled with it.

interface TenantPolicy {
  readonly settings: ToolCallsConfig;
  readonly permitted: ToolPermitted | undefined;
}

export function validateToolCalls(config: Config, logger: Logger): Stage {
  const cache = new SchemaCache();
  const base: TenantPolicy = { settings: config.policies.toolCalls, permitted: undefined };
  const byTenant = new Map<string, TenantPolicy>();
  for (const [name, tenant] of Object.entries(config.tenants)) {
    const override = Object.fromEntries(Object.entries(tenant.policies?.toolCalls ?? {}).filter(([, v]) => v !== undefined));
    const permitted = tenant.tools === undefined ? undefined : toolPermissions(tenant.tools).permitted;
    byTenant.set(name, { settings: { ...config.policies.toolCalls, ...override }, permitted });
  }

  return callsNextAgain(async function validateToolCalls(ctx, next) {
    if (ctx.endpoint !== 'chat') return next();
    const { settings, permitted } = byTenant.get(ctx.tenant!.name) ?? base;
    const check = answerCheckFor(ctx.body!, cache, settings, permitted);
    const offersTools = Array.isArray(ctx.body!.tools) && ctx.body!.tools.length > 0;
    // Nothing to hold the answer to: the answer is relayed untouched (and unparsed).
    if (!offersTools && !check.hasResponseSchema) return next();

    const report = (outcome: Outcome, errors: readonly string[]) => {
      toolCallOutcomes[outcome]++;
      logger.warn({ reqId: ctx.id, tenant: ctx.tenant!.name, policy: 'toolCalls', mode: settings.mode, outcome, errors }, `tool-call policy: ${outcome}`);
      if (outcome === 'annotated') addFlag(ctx, 'invalid_tool_call');
    };
    const original = ctx.body!;
    const plan = ctx.plan;
    const reask = async (turn: AssembledTurn): Promise<Result> => {
      // The same target again, with the invalid turn and its errors appended.
      if (ctx.target !== undefined && plan !== undefined) ctx.plan = { alias: plan.alias, targets: [ctx.target] };
      const messages = Array.isArray(original.messages) ? original.messages : [];
      ctx.body = { ...original, messages: [...messages, ...feedbackMessages(turn, check)] };
      try {
        return await next();
      } finally {
        ctx.body = original;
        ctx.plan = plan;
      }
    };

    const result = await next();
    if (result.kind === 'stream') {
      return guardStream(result, {
        check,
        settings,
        report,
        reask: async (turn) => {
          const again = await reask(turn);
          if (again.kind !== 'stream') throw invalidError(['the repair was not answered as a stream']);
          return again;
        },
      });
    }
    return guardJson(ctx, result, { check, settings, report, reask });
  });
}

interface JsonGuard {
  readonly check: AnswerCheck;
  readonly settings: ToolCallsConfig;
  readonly report: (outcome: Outcome, errors: readonly string[]) => void;
  readonly reask: (turn: AssembledTurn) => Promise<Result>;
}

/** A JSON answer: checked; rejected, re-asked up to maxRepairs times, flagged, or only reported (shadow). */
async function guardJson(ctx: RequestCtx, first: JsonResult, guard: JsonGuard): Promise<Result> {
  const { settings } = guard;
  let result: Result = first;
  for (let repairs = 0; ; repairs++) {
    if (result.kind !== 'json' || result.status !== 200) return result;
    const completion = answerJson(result);
    const verdict = completion === undefined ? { valid: false, errors: ['the answer is too large or malformed to validate'] } : checkCompletion(completion, guard.check);
    if (verdict.valid) {
      if (repairs > 0) {
        guard.report('repaired', []);
        addFlag(ctx, 'tool_call_repaired');
      }
      return result;
    }
    if (settings.mode === 'shadow') return guard.report('shadow', verdict.errors), result;
    if (settings.onInvalid === 'annotate') return guard.report('annotated', verdict.errors), result;
    if (settings.onInvalid === 'reject' || repairs >= settings.maxRepairs || completion === undefined) {
      guard.report('rejected', verdict.errors);
      throw invalidError(verdict.errors);
    }
    guard.report('repair', verdict.errors);
    const before = ctx.usage;
    result = await guard.reask(turnOfCompletion(completion));
    // Both calls are metered: meterBudget settles ctx.usage after this stage returns.
    if (before !== undefined && ctx.usage !== undefined) ctx.usage = addUsage(before, ctx.usage);
  }
}

function addFlag(ctx: RequestCtx, flag: string): void {
  addFlags(ctx, [flag]);
}

