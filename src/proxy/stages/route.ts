import type { ModelTable, RoutePlan } from '../../router/model-table.ts';
import type { Router } from '../../router/router.ts';
import { RUN_ID_HEADER, runIdFrom } from '../../router/run-affinity.ts';
import { routingOf } from '../../router/target-routing.ts';
import { orderByWeight } from '../../router/weighted.ts';
import type { Stage } from '../context.ts';
import { GatewayError } from '../errors.ts';
import type { TenantDirectory } from '../tenants.ts';

const weightOf = (target: RoutePlan['targets'][number]) => routingOf(target).weight;

/**
 * Resolves the requested alias to its targets, for a tenant allowed to use it, in the
 * order this request will try them: each weighted group balanced by weight (an agent run
 * stays on the target it started on), fallbacks after.
 */
export function route(models: ModelTable, tenants: TenantDirectory, router: Router): Stage {
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
    let targets = entry.targets as RoutePlan['targets'];
    if (targets.some((t) => weightOf(t) !== undefined)) {
      const runId = runIdFrom(ctx.incoming.headers[RUN_ID_HEADER]);
      const pinned = runId === undefined ? undefined : router.runs.get(runId, alias);
      const isPinned = pinned === undefined ? undefined : (t: RoutePlan['targets'][number]) => routingOf(t).key === pinned;
      targets = orderByWeight(targets, weightOf, { pinned: isPinned }) as unknown as RoutePlan['targets'];
    }
    ctx.plan = { alias, targets };
    // The first to try; the fallback loop in callUpstream moves on from there.
    ctx.target = targets[0];
    return next();
  };
}
