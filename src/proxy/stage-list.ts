import type { Logger } from 'pino';
import type { ResponseCache } from '../cache/response-cache.ts';
import type { Config } from '../config/schema.ts';
import type { BudgetLedger } from '../metering/budget-ledger.ts';
import type { TenantBudgets } from '../metering/limits.ts';
import type { PriceBook } from '../metering/pricing.ts';
import type { Approvals } from '../policies/approvals/approvals.ts';
import type { RunStore } from '../metering/runs/run-types.ts';
import { runStoreFor } from '../metering/runs/shared-run-store.ts';
import type { ModelTable } from '../router/model-table.ts';
import { ShadowTraffic } from '../router/shadow-traffic.ts';
import type { SharedState } from '../state/shared-state.ts';
import type { Router } from '../router/router.ts';
import { checkOfferedTools } from '../policies/offered-tools-stage.ts';
import { validateToolCalls } from '../policies/tool-calls/stage.ts';
import type { Endpoint, Stage } from './context.ts';
import { authenticate } from './stages/authenticate.ts';
import { callUpstream } from './stages/call-upstream.ts';
import { catchErrors } from './stages/catch-errors.ts';
import { chooseSide } from './stages/choose-side.ts';
import { enforceLimits } from './stages/enforce-limits.ts';
import { filterInjection } from './stages/filter-injection.ts';
import { fitContext } from './stages/fit-context.ts';
import { guardRun } from './stages/guard-run.ts';
import { holdApprovals } from './stages/hold-approvals.ts';
import { idempotency } from './stages/idempotency.ts';
import { logRequest } from './stages/log-request.ts';
import { meterBudget } from './stages/meter-budget.ts';
import { parseRequest } from './stages/parse-request.ts';
import { readRunId } from './stages/read-run-id.ts';
import { responseCache } from './stages/response-cache.ts';
import { route } from './stages/route.ts';
import { shadow } from './stages/shadow.ts';
import { validateRequest } from './stages/validate-request.ts';
import type { TenantDirectory } from './tenants.ts';
import type { RequestObserver } from '../telemetry/telemetry.ts';

export interface PipelineDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly tenants: TenantDirectory;
  readonly models: ModelTable;
  /** Fires when the gateway starts draining: background work stops. */
  readonly drainSignal?: AbortSignal;
  /** Where shared state (run guards, budgets, breakers) lives: memory or Redis. */
  readonly state: SharedState;
  readonly router: Router;
  readonly ledger: BudgetLedger;
  readonly budgets: TenantBudgets;
  readonly prices: PriceBook;
  /** Human approval of `tools.approve` calls; shared with the /admin/approvals routes. */
  readonly approvals?: Approvals;
  /** Response cache and idempotency records (one per process, shared by both endpoints). */
  readonly cache: ResponseCache;
  /** Audit lines (tool calls proposed, policy decisions) go here: `telemetry.audit.path`. */
  readonly auditLogger: Logger;
  /** Metrics and traces, told at the edge when a request begins and ends; undefined when both are off. */
  readonly requestObserver?: RequestObserver;
  /** Long-lived pieces kept across config reloads; built here when absent (tests, one-shot apps). */
  readonly runStore?: RunStore;
  readonly shadowTraffic?: ShadowTraffic;
}

/**
 * The request pipeline, in order. Each stage may answer early (the status it can answer
 * with is noted) or wrap the rest to act on the way back.
 */
/**
 * `surface`: a client protocol other than the endpoint's own (Anthropic's Messages, the
 * Responses API, both over chat), translated right after parsing so every later stage sees
 * the normalised request, and its answer rendered back on the way out.
 */
export function stagesFor(endpoint: Endpoint, deps: PipelineDeps, surface?: Stage): Stage[] {
  const { limits } = deps.config.policies;
  const chat = endpoint === 'chat';
  const injection = chat ? filterInjection(deps.config, deps.logger) : undefined;
  return [
    logRequest(deps.logger, deps.config.logging.requests, deps.requestObserver), // one line per request, streams when they end; metrics and spans
    catchErrors(), //                                         thrown errors → the surface's error envelope
    authenticate(deps.tenants), //                            401 / 400: one Authorization header
    readRunId(deps.config.server.runIdHeader), //             400: a malformed agent-run id
    parseRequest(limits), //                                  400 / 413: content type, size, depth, keys, JSON
    ...(surface === undefined ? [] : [surface]), //           400: the surface's own request → the normalised one; its answer back
    enforceLimits(limits), //                                 400: message count, before the schema
    validateRequest(endpoint), //                             400 naming the parameter (pre-policies follow)
    ...(injection ? [injection] : []), //                     400 prompt_blocked; flags or spotlights (policies.injection)
    ...(chat ? [checkOfferedTools(deps.config)] : []), //     403 tool_not_allowed: an offered tool the tenant denies (or it is stripped)
    chooseSide(deps.config, deps.models, deps.tenants), //   router alias → its cheap or strong alias; 404 / 400
    route(deps.models, deps.tenants, deps.router), //         404 / 503; weighted order
    idempotency(deps.cache), //                               400 / 409 / 422; replays a keyed request's answer, before anything counts it
    ...(chat ? [fitContext(deps.config)] : []), //            400 context_length_exceeded; skips or trims to fit the windows
    ...(chat ? [guardRunStage(deps)] : []), //                400 / 429 / 503 (agent runs: steps, tokens, cost, loops)
    ...(chat && deps.approvals ? [holdApprovals(deps.approvals)] : []), // withholds `approve` tool calls for a person; answers a run from its decision
    meterBudget({ ...deps, defaultMaxTokens: deps.config.policies.budgets.defaultMaxTokens }), // 429 / 503; reserves the worst case, settles after the call
    responseCache(deps.cache), //                             after every guard, wrapping the call: a hit counts a request, no tokens
    ...(chat ? [shadow(deps.models, shadowTraffic(deps))] : []), // mirrors a sample to the alias's shadow target, in the background
    ...(chat ? [validateToolCalls(deps.config, deps.logger)] : []), // 502 invalid_tool_call / SSE error; repairs re-ask through callUpstream
    callUpstream(deps.router), //                             fallback loop: 429 / 502 / 503 / 504, or an SSE error event after the commit point
  ];
}

/** Shadow calls run in the background, off every request's path; draining stops them. */
function shadowTraffic(deps: PipelineDeps): ShadowTraffic {
  return deps.shadowTraffic ?? new ShadowTraffic(deps.logger, deps.prices, deps.drainSignal);
}

/** The agent-run guard with its store (memory, or Redis per `state`) and prices. */
function guardRunStage(deps: PipelineDeps): Stage {
  const store = deps.runStore ?? runStoreFor(deps.state, deps.logger);
  const { tenants } = deps.config;
  return guardRun({ tenants, store, prices: deps.prices, logger: deps.logger, audit: deps.auditLogger });
}
