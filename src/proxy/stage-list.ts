import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { ModelTable } from '../router/model-table.ts';
import type { Endpoint, Stage } from './context.ts';
import { authenticate } from './stages/authenticate.ts';
import { callUpstream } from './stages/call-upstream.ts';
import { catchErrors } from './stages/catch-errors.ts';
import { enforceLimits } from './stages/enforce-limits.ts';
import { logRequest } from './stages/log-request.ts';
import { parseRequest } from './stages/parse-request.ts';
import { route } from './stages/route.ts';
import { validateRequest } from './stages/validate-request.ts';
import type { TenantDirectory } from './tenants.ts';

export interface PipelineDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly tenants: TenantDirectory;
  readonly models: ModelTable;
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
    authenticate(deps.tenants), //                            401 / 400: one Authorization header
    parseRequest(limits), //                                  400 / 413: content type, size, depth, keys, JSON
    enforceLimits(limits), //                                 400: message count, before the schema
    validateRequest(endpoint), //                             400 naming the parameter (pre-policies follow)
    route(deps.models, deps.tenants), //                      404 / 503
    callUpstream(), //                                        502 / 504, or an SSE error event after the commit point
  ];
}
