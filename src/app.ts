import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { Logger } from 'pino';
import type { Config } from './config/schema.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { BudgetLedger } from './metering/budget-ledger.ts';
import { TenantBudgets } from './metering/limits.ts';
import type { PriceBook } from './metering/pricing.ts';
import type { RunStore } from './metering/runs/run-types.ts';
import type { ShadowTraffic } from './router/shadow-traffic.ts';
import { newRequestCtx, type Endpoint } from './proxy/context.ts';
import { GatewayError, toGatewayError } from './proxy/errors.ts';
import { ModelsRoute } from './proxy/models-route.ts';
import { isUnsafeTarget } from './proxy/raw-path.ts';
import { compose, type Pipeline } from './proxy/pipeline.ts';
import { requestIdFrom } from './proxy/request-id.ts';
import { toResponse } from './proxy/respond.ts';
import { stagesFor } from './proxy/stage-list.ts';
import { TenantDirectory } from './proxy/tenants.ts';
import { UsageRoute } from './proxy/usage-route.ts';
import type { ModelTable } from './router/model-table.ts';
import type { SharedState } from './state/shared-state.ts';
import { readiness, type Router } from './router/router.ts';

// The HTTP surface: routes and the one error handler. No logic lives here.

export interface AppDeps {
  readonly config: Config;
  readonly models: ModelTable;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  readonly state: SharedState;
  readonly router: Router;
  readonly ledger: BudgetLedger;
  readonly prices: PriceBook;
  /** Long-lived pieces kept across config reloads (see src/runtime/). */
  readonly runStore?: RunStore;
  readonly shadowTraffic?: ShadowTraffic;
}

type Env = { Bindings: HttpBindings };

export function createApp(deps: AppDeps): Hono<Env> {
  const tenants = new TenantDirectory(deps.config);
  const budgets = new TenantBudgets(deps.config);
  const pipelineDeps = {
    config: deps.config,
    logger: deps.logger,
    tenants,
    models: deps.models,
    state: deps.state,
    router: deps.router,
    drainSignal: deps.lifecycle.drainSignal,
    ledger: deps.ledger,
    budgets,
    prices: deps.prices,
    runStore: deps.runStore,
    shadowTraffic: deps.shadowTraffic,
  };
  const chat = compose(stagesFor('chat', pipelineDeps));
  const embeddings = compose(stagesFor('embeddings', pipelineDeps));
  const models = new ModelsRoute(deps.models, tenants);
  const usage = new UsageRoute(deps.config, deps.ledger, budgets, tenants);
  const { lifecycle } = deps;

  const run = async (c: Context<Env>, endpoint: Endpoint, pipeline: Pipeline) => {
    const { incoming, outgoing } = c.env;
    lifecycle.track(outgoing);
    const ctx = newRequestCtx(requestIdFrom(incoming.headers['x-request-id']), endpoint, incoming, c.req.raw.signal);
    const result = await pipeline(ctx);
    return toResponse(result, ctx.id, lifecycle.forceCloseSignal, lifecycle.draining, ctx.responseHeaders);
  };

  const json = (c: Context<Env>, status: number, body: unknown, headers?: Record<string, string>) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', 'x-request-id': requestIdFrom(c.env.incoming.headers['x-request-id']), ...headers },
    });
  const fail = (c: Context<Env>, error: GatewayError, headers?: Record<string, string>) => json(c, error.status, error.toEnvelope(), headers);

  // A known route asked with another method: 405 naming the methods it takes.
  const onlyAllow = (allow: string) => (c: Context<Env>) =>
    fail(c, new GatewayError('method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allow}.`), { allow });

  const answer = async (c: Context<Env>, produce: () => unknown) => {
    try {
      return json(c, 200, await produce());
    } catch (err) {
      return fail(c, toGatewayError(err));
    }
  };

  const app = new Hono<Env>();
  // Before routing, on the target as sent: URL parsing would resolve encoded dot segments.
  app.use(async (c, next) => {
    if (isUnsafeTarget(c.env.incoming.url ?? '')) {
      return fail(c, new GatewayError('invalid_request', 'The request path may not contain dot segments, backslashes, or encoded dots or slashes.'));
    }
    return next();
  });
  // HEAD is answered as GET (without a body) by hono, hence "GET, HEAD".
  app.post('/v1/chat/completions', (c) => run(c, 'chat', chat));
  app.all('/v1/chat/completions', onlyAllow('POST'));
  app.post('/v1/embeddings', (c) => run(c, 'embeddings', embeddings));
  app.all('/v1/embeddings', onlyAllow('POST'));
  app.get('/v1/models', (c) => answer(c, () => models.list(c.env.incoming)));
  app.all('/v1/models', onlyAllow('GET, HEAD'));
  app.get('/v1/models/:id{.+}', (c) => answer(c, () => models.retrieve(c.env.incoming, c.req.param('id'))));
  app.all('/v1/models/:id{.+}', onlyAllow('GET, HEAD'));
  app.get('/v1/usage', (c) => answer(c, () => usage.own(c.env.incoming)));
  app.all('/v1/usage', onlyAllow('GET, HEAD'));
  app.get('/admin/usage', (c) => answer(c, () => usage.admin(c.env.incoming.headers, c.req.path, c.req.query('tenant'))));
  app.all('/admin/usage', onlyAllow('GET, HEAD'));
  app.get('/healthz', (c) => json(c, 200, { status: 'ok' }));
  app.all('/healthz', onlyAllow('GET, HEAD'));
  // 503 while draining, or while some model has no usable target (every breaker open); the body lists open targets.
  app.get('/readyz', async (c) => {
    if (lifecycle.draining) return json(c, 503, { status: 'draining' });
    const state = await readiness(deps.router, deps.models);
    return json(c, state.ready ? 200 : 503, { status: state.ready ? 'ready' : 'degraded', openTargets: state.openTargets, unavailableModels: state.unavailableModels });
  });
  app.all('/readyz', onlyAllow('GET, HEAD'));
  app.notFound((c) => fail(c, new GatewayError('not_found', `Unknown route: ${c.req.method} ${c.req.path}`)));
  // The last line of defence; pipeline errors never get here (the catchErrors stage answers them).
  app.onError((err, c) => {
    deps.logger.error({ err }, 'unhandled error');
    return fail(c, toGatewayError(err));
  });
  return app;
}
