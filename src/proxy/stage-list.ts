import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { BudgetLedger } from '../metering/budget-ledger.ts';
import type { TenantBudgets } from '../metering/limits.ts';
import type { PriceBook } from '../metering/pricing.ts';
import type { ModelTable } from '../router/model-table.ts';
import type { Endpoint, Stage } from './context.ts';
import { authenticate } from './stages/authenticate.ts';
import { callUpstream } from './stages/call-upstream.ts';
import { catchErrors } from './stages/catch-errors.ts';
import { enforceLimits } from './stages/enforce-limits.ts';
import { logRequest } from './stages/log-request.ts';
import { meterBudget } from './stages/meter-budget.ts';
import { parseRequest } from './stages/parse-request.ts';
import { route } from './stages/route.ts';
import type { TenantDirectory } from './tenants.ts';

export interface PipelineDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly tenants: TenantDirectory;
  readonly models: ModelTable;
  readonly ledger: BudgetLedger;
  readonly budgets: TenantBudgets;
  readonly prices: PriceBook;
}

/**
 * The request pipeline, in order. Each stage may answer early (the status it can answer
 * with is noted) or wrap the rest to act on the way back.
 */
export function stagesFor(endpoint: Endpoint, deps: PipelineDeps): Stage[] {
  const { limits } = deps.config.policies;
  return [
    logRequest(deps.logger, deps.config.logging.requests), // one line per request, streams when they end
    catchErrors(deps.logger), //                              thrown errors → OpenAI envelope
    authenticate(deps.tenants), //                            401
    parseRequest(endpoint, limits.maxBodyBytes), //           400 / 413
    enforceLimits(limits), //                                 400 (pre-policies)
    route(deps.models, deps.tenants), //                      404 / 403 / 503
    meterBudget({ ...deps, defaultMaxTokens: deps.config.policies.budgets.defaultMaxTokens }), // 429 / 503; settles after the call
    callUpstream(), //                                        502 / 504, or an SSE error event after the commit point
  ];
}
