import type { ModelTable, RoutePlan } from '../../router/model-table.ts';
import type { Stage } from '../context.ts';
import { GatewayError } from '../errors.ts';
import type { TenantDirectory } from '../tenants.ts';

/** Resolves the requested alias to its targets, for a tenant allowed to use it. */
export function route(models: ModelTable, tenants: TenantDirectory): Stage {
  return async function route(ctx, next) {
    const alias = ctx.alias!;
    const entry = models.get(alias);
    // Another tenant's alias gets the same answer as a name that does not exist, so a key
    // cannot be used to list the aliases configured for others.
    if (entry === undefined || !tenants.allows(ctx.tenant!, alias)) throw modelNotFound(alias);
    if (entry.targets.length === 0) {
      // The reason (e.g. an unset key variable) is in the startup log, not for clients.
      throw new GatewayError('model_unavailable', `The model '${alias}' has no live provider.`, { param: 'model' });
    }
    const targets = entry.targets as RoutePlan['targets'];
    ctx.plan = { alias, targets };
    // The first live target; the fallback loop over the rest belongs to routing and resilience.
    ctx.target = targets[0];
    return next();
  };
}

/** OpenAI's own answer for a model that is unknown or not available to the caller. */
export function modelNotFound(alias: string): GatewayError {
  return new GatewayError('model_not_found', `The model '${alias}' does not exist or you do not have access to it.`, { param: 'model' });
}
