import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { Logger } from 'pino';
import { ResponseCache } from './cache/response-cache.ts';
import type { Config } from './config/schema.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { BudgetLedger } from './metering/budget-ledger.ts';
import { TenantBudgets } from './metering/limits.ts';
import type { PriceBook } from './metering/pricing.ts';
import { Approvals } from './policies/approvals/approvals.ts';
import { ApprovalsRoute } from './policies/approvals/approvals-route.ts';
import type { RunStore } from './metering/runs/run-types.ts';
import type { ShadowTraffic } from './router/shadow-traffic.ts';
import { newRequestCtx, type Endpoint, type Surface } from './proxy/context.ts';
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
import { countTokensStages } from './surfaces/anthropic/count-tokens.ts';
import { messagesSurface } from './surfaces/anthropic/messages-stage.ts';
import { anthropicErrorEnvelope } from './surfaces/anthropic/errors.ts';
import type { SharedState } from './state/shared-state.ts';
import { readiness, type Router } from './router/router.ts';
import { cors } from './server/cors.ts';
import { responseStoreFor, type ResponseStore } from './surfaces/responses/store.ts';
import { StoredResponseRoutes } from './surfaces/responses/stored-routes.ts';
import { responsesSurface } from './surfaces/responses/surface.ts';
import { registerCollectedGauges } from './telemetry/collected-gauges.ts';
import type { Telemetry } from './telemetry/telemetry.ts';

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
  readonly telemetry: Telemetry;
  // Long-lived pieces kept across config reloads (see src/runtime/); built here when absent.
  readonly cache?: ResponseCache;
  readonly runStore?: RunStore;
  readonly shadowTraffic?: ShadowTraffic;
  readonly approvals?: Approvals;
  readonly responseStore?: ResponseStore;
}

type Env = { Bindings: HttpBindings };

export function createApp(deps: AppDeps): Hono<Env> {
  const tenants = new TenantDirectory(deps.config);
  const budgets = new TenantBudgets(deps.config);
  const approvals = deps.approvals ?? new Approvals({ config: deps.config, state: deps.state, logger: deps.logger, stopSignal: deps.lifecycle.drainSignal });
  const pipelineDeps = {
    approvals,
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
    cache: deps.cache ?? new ResponseCache({ config: deps.config, state: deps.state, logger: deps.logger, prices: deps.prices }),
    auditLogger: deps.telemetry.audit,
    requestObserver: deps.telemetry.observer,
    runStore: deps.runStore,
    shadowTraffic: deps.shadowTraffic,
  };
  const chat = compose(stagesFor('chat', pipelineDeps));
  const embeddings = compose(stagesFor('embeddings', pipelineDeps));
  const messages = compose(stagesFor('chat', pipelineDeps, messagesSurface()));
  const countTokens = compose(countTokensStages(pipelineDeps));
  const completions = compose(stagesFor('completions', pipelineDeps));
  const moderations = compose(stagesFor('moderations', pipelineDeps));
  const responseStore = deps.responseStore ?? responseStoreFor(deps.state, { ...deps.config.server.responses, ttlMs: deps.config.server.responses.ttl });
  const responses = compose(stagesFor('chat', pipelineDeps, responsesSurface(responseStore)));
  const storedResponses = new StoredResponseRoutes(responseStore, tenants);
  const models = new ModelsRoute(deps.models, tenants);
  const usage = new UsageRoute(deps.config, deps.ledger, budgets, tenants);
  const approvalsRoute = new ApprovalsRoute(approvals, deps.config.server.adminKey, Object.keys(deps.config.tenants));
  const { lifecycle } = deps;

  const run = async (c: Context<Env>, endpoint: Endpoint, pipeline: Pipeline, surface: Surface = 'openai') => {
    const { incoming, outgoing } = c.env;
    lifecycle.track(outgoing);
    const ctx = newRequestCtx(requestIdFrom(incoming.headers['x-request-id']), endpoint, incoming, c.req.raw.signal, surface);
    const result = await pipeline(ctx);
    return toResponse(result, ctx.id, lifecycle.forceCloseSignal, lifecycle.draining, ctx.responseHeaders);
  };

  const json = (c: Context<Env>, status: number, body: unknown, headers?: Record<string, string>) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', 'x-request-id': requestIdFrom(c.env.incoming.headers['x-request-id']), ...headers },
    });
  const fail = (c: Context<Env>, error: GatewayError, headers?: Record<string, string>) => json(c, error.status, error.toEnvelope(), headers);
  const failAnthropic = (c: Context<Env>, error: GatewayError, headers?: Record<string, string>) => json(c, error.status, anthropicErrorEnvelope(error), headers);

  // A known route asked with another method: 405 naming the methods it takes.
  const onlyAllow = (allow: string, reply = fail) => (c: Context<Env>) =>
    reply(c, new GatewayError('method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allow}.`), { allow });

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
  app.use(cors(deps.config.server.cors, deps.config.server.runIdHeader));
  // HEAD is answered as GET (without a body) by hono, hence "GET, HEAD". Every API route is
  // also served without its /v1 prefix, for clients configured with a bare host.
  for (const v1 of ['/v1', '']) {
    app.post(`${v1}/chat/completions`, (c) => run(c, 'chat', chat));
    app.all(`${v1}/chat/completions`, onlyAllow('POST'));
    // Anthropic's Messages API, through the same pipeline (errors in Anthropic's envelope).
    app.post(`${v1}/messages`, (c) => run(c, 'chat', messages, 'anthropic'));
    app.all(`${v1}/messages`, onlyAllow('POST', failAnthropic));
    app.post(`${v1}/messages/count_tokens`, (c) => run(c, 'chat', countTokens, 'anthropic'));
    app.all(`${v1}/messages/count_tokens`, onlyAllow('POST', failAnthropic));
    app.post(`${v1}/responses`, (c) => run(c, 'chat', responses, 'responses'));
    app.all(`${v1}/responses`, onlyAllow('POST'));
    app.get(`${v1}/responses/:id/input_items`, (c) => answer(c, () => storedResponses.inputItems(c.env.incoming, c.req.param('id'), c.req.query())));
    app.all(`${v1}/responses/:id/input_items`, onlyAllow('GET, HEAD'));
    app.get(`${v1}/responses/:id`, (c) => answer(c, () => storedResponses.retrieve(c.env.incoming, c.req.param('id'))));
    app.delete(`${v1}/responses/:id`, (c) => answer(c, () => storedResponses.remove(c.env.incoming, c.req.param('id'))));
    app.all(`${v1}/responses/:id`, onlyAllow('GET, HEAD, DELETE'));
    app.post(`${v1}/completions`, (c) => run(c, 'completions', completions));
    app.all(`${v1}/completions`, onlyAllow('POST'));
    app.post(`${v1}/moderations`, (c) => run(c, 'moderations', moderations));
    app.all(`${v1}/moderations`, onlyAllow('POST'));
    app.post(`${v1}/embeddings`, (c) => run(c, 'embeddings', embeddings));
    app.all(`${v1}/embeddings`, onlyAllow('POST'));
    app.get(`${v1}/models`, (c) => answer(c, () => models.list(c.env.incoming)));
    app.all(`${v1}/models`, onlyAllow('GET, HEAD'));
    app.get(`${v1}/models/:id{.+}`, (c) => answer(c, () => models.retrieve(c.env.incoming, c.req.param('id'))));
    app.all(`${v1}/models/:id{.+}`, onlyAllow('GET, HEAD'));
    app.get(`${v1}/usage`, (c) => answer(c, () => usage.own(c.env.incoming)));
    app.all(`${v1}/usage`, onlyAllow('GET, HEAD'));
  }
  app.get('/admin/usage', (c) => answer(c, () => usage.admin(c.env.incoming.headers, c.req.path, c.req.query('tenant'))));
  app.all('/admin/usage', onlyAllow('GET, HEAD'));
  app.get('/admin/approvals', (c) => answer(c, () => approvalsRoute.list(c.env.incoming, c.req.path, c.req.query())));
  app.all('/admin/approvals', onlyAllow('GET, HEAD'));
  app.post('/admin/approvals/:id', (c) => answer(c, () => approvalsRoute.decide(c.env.incoming, c.req.path, c.req.param('id'))));
  app.all('/admin/approvals/:id', onlyAllow('POST'));
  app.get('/healthz', (c) => json(c, 200, { status: 'ok' }));
  app.all('/healthz', onlyAllow('GET, HEAD'));
  // 503 while draining, or while some model has no usable target (every breaker open); the body lists open targets.
  app.get('/readyz', async (c) => {
    if (lifecycle.draining) return json(c, 503, { status: 'draining' });
    const state = await readiness(deps.router, deps.models);
    return json(c, state.ready ? 200 : 503, { status: state.ready ? 'ready' : 'degraded', openTargets: state.openTargets, unavailableModels: state.unavailableModels });
  });
  app.all('/readyz', onlyAllow('GET, HEAD'));
  const metrics = deps.telemetry.metrics;
  if (metrics !== undefined) {
    registerCollectedGauges(metrics, { config: deps.config, models: deps.models, router: deps.router, ledger: deps.ledger, budgets, inflight: () => lifecycle.inflight });
    // Prometheus text format on the main port, no auth (telemetry.metrics: false removes it).
    app.get('/metrics', async () => new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } }));
    app.all('/metrics', onlyAllow('GET, HEAD'));
  }
  app.notFound((c) => (c.req.path.startsWith('/v1/messages/') ? failAnthropic : fail)(c, new GatewayError('not_found', `Unknown route: ${c.req.method} ${c.req.path}`)));
  // The last line of defence; pipeline errors never get here (the catchErrors stage answers them).
  app.onError((err, c) => {
    deps.logger.error({ err }, 'unhandled error');
    return fail(c, toGatewayError(err));
  });
  return app;
}
