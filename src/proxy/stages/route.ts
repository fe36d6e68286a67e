import type { ModelTable, RoutePlan } from '../../router/model-table.ts';
import type { Stage } from '../context.ts';
import { GatewayError } from '../errors.ts';
import type { TenantDirectory } from '../tenants.ts';

/** Resolves the requested alias to its targets, for a tenant allowed to use it. */
export function route(models: ModelTable, tenants: TenantDirectory): Stage {
  return async function route(ctx, next) {
    const alias = ctx.alias!;
    const entry = models.get(alias);
    if (entry === undefined) {
      throw new GatewayError('model_not_found', `The model '${alias}' does not exist.`, { param: 'model' });
    }
    // A side chosen by `chooseSide` is allowed through its router alias, checked there.
    if (!tenants.allows(ctx.tenant!, ctx.routing?.requested ?? alias)) {
      throw new GatewayError('model_not_allowed', `This key may not use the model '${alias}'.`, { param: 'model' });
    }
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
