import type { Config, RouterConfig } from '../../config/schema.ts';
import { decideSide, routeHeader, type Side } from '../../router/decide-side.ts';
import { defaultDifficultyModel, type DifficultyModel } from '../../router/difficulty-model.ts';
import type { ModelTable } from '../../router/model-table.ts';
import { viewOfChat } from '../../router/prompt-view.ts';
import { RunSides } from '../../router/run-sides.ts';
import type { Stage } from '../context.ts';
import { GatewayError } from '../errors.ts';
import { modelNotFound } from './route.ts';
import type { TenantDirectory } from '../tenants.ts';

export const ROUTE_HEADER = 'x-tollgate-route';

/**
 * For a router alias, picks the cheap or the strong side and routes the request as that
 * side's alias (`ctx.routing` keeps the alias asked for). Other aliases pass untouched.
 */
export function chooseSide(
  config: Config,
  models: ModelTable,
  tenants: TenantDirectory,
  model: DifficultyModel = defaultDifficultyModel(),
  runs: RunSides = new RunSides(),
): Stage {
  const routers = new Map<string, RouterConfig>();
  for (const [alias, spec] of Object.entries(config.models)) if (spec.router !== undefined) routers.set(alias, spec.router);
  const isLive = (alias: string) => (models.get(alias)?.targets.length ?? 0) > 0;

  return async function chooseSide(ctx, next) {
    const requested = ctx.alias!;
    const router = routers.get(requested);
    if (router === undefined) return next();
    // Checked here because the request is routed on as a side's alias: a tenant allowed
    // the router may use both sides through it.
    if (!tenants.allows(ctx.tenant!, requested)) throw modelNotFound(requested);
    if (ctx.endpoint !== 'chat') {
      throw new GatewayError('invalid_request', `The model '${requested}' routes chat completions only.`, { param: 'model' });
    }
    const decision = decideSide(
      {
        requested,
        router,
        view: () => viewOfChat(ctx.body!),
        forced: forcedSide(ctx.incoming.headers[ROUTE_HEADER]),
        runKey: ctx.runId === undefined ? undefined : `${ctx.tenant!.name}\n${requested}\n${ctx.runId}`,
        isLive,
      },
      model,
      runs,
    );
    ctx.routing = decision;
    ctx.alias = decision.alias;
    // On every answer from here on: JSON, stream, or an error from a later stage.
    ctx.responseHeaders[ROUTE_HEADER] = routeHeader(decision);
    return next();
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text;
}

function forcedSide(value: string | string[] | undefined): Side | undefined {
  const text = headerValue(value)?.trim().toLowerCase();
  if (text === undefined) return undefined;
  if (text === 'cheap' || text === 'strong') return text;
  throw new GatewayError('invalid_request', `The ${ROUTE_HEADER} header must be "cheap" or "strong", got ${JSON.stringify(text.slice(0, 40))}.`);
}
