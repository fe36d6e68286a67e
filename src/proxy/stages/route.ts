import type { ModelTable, RoutePlan } from '../../router/model-table.ts';
import type { Router } from '../../router/router.ts';
import { routingOf } from '../../router/target-routing.ts';
import { orderByWeight } from '../../router/weighted.ts';
import { runKeyOf } from '../../router/run-affinity.ts';
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
    // Another tenant's alias gets the same answer as a name that does not exist, so a key
    // cannot be used to list the aliases configured for others. A side chosen by
    // `chooseSide` is allowed through its router alias, checked there.
    if (entry === undefined || !tenants.allows(ctx.tenant!, ctx.routing?.requested ?? alias)) throw modelNotFound(alias);
    if (entry.targets.length === 0) {
      // The reason (e.g. an unset key variable) is in the startup log, not for clients.
      throw new GatewayError('model_unavailable', `The model '${alias}' has no live provider.`, { param: 'model' });
    }
    let targets = entry.targets as RoutePlan['targets'];
    if (targets.some((t) => weightOf(t) !== undefined)) {
      const pinned = ctx.runId === undefined ? undefined : router.runs.get(runKeyOf(ctx.tenant!.name, ctx.runId), alias);
      const isPinned = pinned === undefined ? undefined : (t: RoutePlan['targets'][number]) => routingOf(t).key === pinned;
      targets = orderByWeight(targets, weightOf, { pinned: isPinned }) as unknown as RoutePlan['targets'];
    }
    ctx.plan = { alias, targets };
    // The first to try; the fallback loop in callUpstream moves on from there.
    ctx.target = targets[0];
    return next();
  };
}

/** OpenAI's own answer for a model that is unknown or not available to the caller. */
export function modelNotFound(alias: string): GatewayError {
  return new GatewayError('model_not_found', `The model '${alias}' does not exist or you do not have access to it.`, { param: 'model' });
}
