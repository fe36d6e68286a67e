import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { Logger } from 'pino';
import type { Config } from './config/schema.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { BudgetLedger } from './metering/budget-ledger.ts';
import { TenantBudgets } from './metering/limits.ts';
import type { PriceBook } from './metering/pricing.ts';
import { newRequestCtx, type Endpoint } from './proxy/context.ts';
import { GatewayError, toGatewayError } from './proxy/errors.ts';
import { ModelsRoute } from './proxy/models-route.ts';
import { compose, type Pipeline } from './proxy/pipeline.ts';
import { requestIdFrom } from './proxy/request-id.ts';
import { toResponse } from './proxy/respond.ts';
import { stagesFor } from './proxy/stage-list.ts';
import { TenantDirectory } from './proxy/tenants.ts';
import { UsageRoute } from './proxy/usage-route.ts';
import type { ModelTable } from './router/model-table.ts';

// The HTTP surface: routes and the one error handler. No logic lives here.

export interface AppDeps {
  readonly config: Config;
  readonly models: ModelTable;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  readonly ledger: BudgetLedger;
  readonly prices: PriceBook;
}

type Env = { Bindings: HttpBindings };

export function createApp(deps: AppDeps): Hono<Env> {
  const tenants = new TenantDirectory(deps.config);
  const budgets = new TenantBudgets(deps.config);
  const pipelineDeps = { config: deps.config, logger: deps.logger, tenants, models: deps.models, ledger: deps.ledger, budgets, prices: deps.prices };
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

  const json = (c: Context<Env>, status: number, body: unknown) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', 'x-request-id': requestIdFrom(c.env.incoming.headers['x-request-id']) },
    });

  const answer = async (c: Context<Env>, produce: () => unknown) => {
    try {
      return json(c, 200, await produce());
    } catch (err) {
      const error = toGatewayError(err);
      return json(c, error.status, error.toEnvelope());
    }
  };

  const app = new Hono<Env>();
  app.post('/v1/chat/completions', (c) => run(c, 'chat', chat));
  app.post('/v1/embeddings', (c) => run(c, 'embeddings', embeddings));
  app.get('/v1/models', (c) => answer(c, () => models.list(c.env.incoming.headers)));
  app.get('/v1/models/:id{.+}', (c) => answer(c, () => models.retrieve(c.env.incoming.headers, c.req.param('id'))));
  app.get('/v1/usage', (c) => answer(c, () => usage.own(c.env.incoming.headers)));
  app.get('/admin/usage', (c) => answer(c, () => usage.admin(c.env.incoming.headers, c.req.path, c.req.query('tenant'))));
  app.get('/healthz', (c) => json(c, 200, { status: 'ok' }));
  app.get('/readyz', (c) =>
    lifecycle.draining ? json(c, 503, { status: 'draining' }) : json(c, 200, { status: 'ready' }),
  );
  app.notFound((c) => {
    const error = new GatewayError('not_found', `Unknown route: ${c.req.method} ${c.req.path}`);
    return json(c, error.status, error.toEnvelope());
  });
  // The last line of defence; pipeline errors never get here (the catchErrors stage answers them).
  app.onError((err, c) => {
    deps.logger.error({ err }, 'unhandled error');
    const error = toGatewayError(err);
    return json(c, error.status, error.toEnvelope());
  });
  return app;
}
