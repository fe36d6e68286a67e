import { countPromptTokens } from '../../metering/token-count.ts';
import type { Stage } from '../../proxy/context.ts';
import type { PipelineDeps } from '../../proxy/stage-list.ts';
import { authenticate } from '../../proxy/stages/authenticate.ts';
import { catchErrors } from '../../proxy/stages/catch-errors.ts';
import { chooseSide } from '../../proxy/stages/choose-side.ts';
import { enforceLimits } from '../../proxy/stages/enforce-limits.ts';
import { logRequest } from '../../proxy/stages/log-request.ts';
import { parseRequest } from '../../proxy/stages/parse-request.ts';
import { route } from '../../proxy/stages/route.ts';
import { validateRequest } from '../../proxy/stages/validate-request.ts';
import { toChatRequest } from './request.ts';

/**
 * `POST /v1/messages/count_tokens`: the front of the Messages pipeline (auth, bounded
 * parsing, translation, validation, alias resolution and access), then a local count of the
 * prompt for the target the request would go to first. Nothing is sent upstream or metered.
 */
export function countTokensStages(deps: PipelineDeps): Stage[] {
  return [
    logRequest(deps.logger, deps.config.logging.requests),
    catchErrors(),
    authenticate(deps.tenants),
    parseRequest(deps.config.policies.limits),
    translateForCount(),
    enforceLimits(deps.config.policies.limits),
    validateRequest('chat'),
    chooseSide(deps.config, deps.models, deps.tenants),
    route(deps.models, deps.tenants, deps.router),
    countTokens(),
  ];
}

function translateForCount(): Stage {
  return async function translateForCount(ctx, next) {
    ctx.body = toChatRequest(ctx.body!, { requireMaxTokens: false });
    return next();
  };
}

function countTokens(): Stage {
  return async function countTokens(ctx) {
    const model = ctx.plan!.targets[0]!.model;
    return { kind: 'json', status: 200, body: { input_tokens: countPromptTokens(ctx.body!, model) } };
  };
}
