import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import type { LoadedConfig } from './config/load.ts';
import type { Config } from './config/schema.ts';
import { GatewayError } from './proxy/errors.ts';
import { Lifecycle } from './lifecycle.ts';
import { BudgetLedger } from './metering/budget-ledger.ts';
import { PriceBook } from './metering/pricing.ts';
import { providersOutlastingReservations, unpricedTargets } from './metering/startup-checks.ts';
import { buildProviders, type Providers } from './providers/registry.ts';
import { TenantDirectory } from './proxy/tenants.ts';
import { buildModelTable, type ModelTable } from './router/model-table.ts';
import { createRouter } from './router/router.ts';
import { withoutDemoKeyBeyondLoopback } from './server/demo-key.ts';
import { hardenServer, serverOptions } from './server/http-server.ts';
import { connectState, type SharedState } from './state/shared-state.ts';
import { createTelemetry, type TelemetryOptions } from './telemetry/telemetry.ts';

// Starts a gateway from a loaded config and stops it gracefully. The CLI and the
// end-to-end tests both start it through here.

const STATE_CONNECT_WAIT_MS = 3_000;

export interface Gateway {
  readonly url: string;
  readonly port: number;
  readonly lifecycle: Lifecycle;
  readonly server: Server;
  /** Stop accepting, let in-flight requests and streams finish (up to the drain timeout), close. */
  shutdown(): Promise<void>;
}

export async function startGateway(
  loaded: LoadedConfig,
  logger: Logger,
  overrides: { port?: number; host?: string; telemetry?: TelemetryOptions } = {},
): Promise<Gateway> {
  const host = overrides.host ?? loaded.config.server.host;
  const config = withoutDemoKeyBeyondLoopback(loaded.config, host, logger);
  const providers = buildProviders(loaded);
  const models = buildModelTable(config, providers);
  const state = connectState(config.state, logger);
  // Shared breakers need the connection before the first request; a Redis that is down is
  // reported and the gateway starts anyway (see state.onUnavailable).
  if (!(await state.ready(STATE_CONNECT_WAIT_MS))) logger.warn('the Redis state store is not reachable yet; retrying in the background');
  const router = createRouter(state);
  const lifecycle = new Lifecycle();
  const prices = new PriceBook(config.pricing);
  const ledger = new BudgetLedger(state, { reservationTtlMs: config.policies.budgets.reservationTtl, logger });
  const telemetry = await createTelemetry(config, logger, state, overrides.telemetry);
  const app = createApp({ config, models, logger, lifecycle, state, router, ledger, prices, telemetry });

  const server = await new Promise<Server>((resolve, reject) => {
    const options = { fetch: app.fetch, port: overrides.port ?? config.server.port, hostname: host, serverOptions: serverOptions(config.server) };
    const s = serve(options, () => {
      // Listening: from here on, server errors are logged and the gateway keeps serving.
      s.off('error', reject);
      hardenServer(s, { config, tenants: new TenantDirectory(config), logger });
      resolve(s);
    }) as Server;
    s.once('error', reject);
  });

  const port = (server.address() as AddressInfo).port;
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
  logStartup(logger, loaded, config, providers, models, url);
  const unpriced = unpricedTargets(config, prices);
  if (unpriced.length > 0) logger.warn({ models: unpriced }, 'no price known for these models: their cost is logged as 0 (priced: false) and usd budgets do not count them; add them under pricing:');
  const outlasting = providersOutlastingReservations(config);
  if (outlasting.length > 0) logger.warn({ providers: outlasting }, 'policies.budgets.reservationTtl is not above these providers\' timeouts.total: a long call may outlive its reservation');

  let stopping: Promise<void> | undefined;
  const shutdown = () => (stopping ??= drain(server, lifecycle, providers, state, ledger, logger, config.server.drainTimeout).finally(() => telemetry.close()));
  return { url, port, lifecycle, server, shutdown };
}

async function drain(
  server: Server,
  lifecycle: Lifecycle,
  providers: Providers,
  state: SharedState,
  ledger: BudgetLedger,
  logger: Logger,
  drainTimeout: number,
): Promise<void> {
  lifecycle.draining = true;
  logger.info({ inflight: lifecycle.inflight, drainTimeoutMs: drainTimeout }, 'shutting down: no new connections, draining');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const drained = await lifecycle.waitIdle(drainTimeout);
  if (!drained) {
    logger.warn({ inflight: lifecycle.inflight }, 'drain timeout reached: ending open requests');
    lifecycle.forceClose();
    // Calls still waiting on a provider fail now, as 503 shutting_down (JSON, or a stream's
    // last event), instead of holding the process until their own timeouts.
    await providers.destroy(new GatewayError('shutting_down', 'The gateway is shutting down; the request was ended before it finished.'));
    // Give the error events a moment to reach the clients before the sockets go.
    await lifecycle.waitIdle(1_000);
  }
  server.closeAllConnections();
  await closed;
  await providers.close();
  // Settlements queued while Redis was away are delivered (or given up) before it closes.
  await ledger.close();
  await state.close();
  logger.info('stopped');
}

function logStartup(logger: Logger, loaded: LoadedConfig, config: Config, providers: Providers, models: ModelTable, url: string): void {
  const live = [...providers.live.values()].map((p) => `${p.name} (${p.kind})`);
  const disabled = Object.fromEntries(providers.disabled);
  const liveModels = [...models.values()].filter((m) => m.targets.length > 0).map((m) => m.alias);
  const unavailable = Object.fromEntries([...models.values()].filter((m) => m.targets.length === 0).map((m) => [m.alias, m.unavailable]));
  logger.info(
    { config: loaded.source, providers: live, disabledProviders: disabled, models: liveModels, unavailableModels: unavailable, node: process.version, nodeFlags: process.execArgv, mallocArenaMax: process.env.MALLOC_ARENA_MAX },
    `Tollgate listening on ${url}`,
  );
  for (const [name, reason] of providers.disabled) logger.warn(`provider "${name}" is disabled: ${reason}`);
  if (Object.values(config.tenants).every((t) => t.keys.length === 0)) {
    logger.warn('no tenant has a key: every API request will be refused with 401 (give tenants keys in the config)');
  }
  const real = [...providers.live.values()].filter((p) => p.kind !== 'mock');
  if (real.length === 0) {
    logger.warn('no real provider is live (no provider keys set): serving the built-in mock provider only');
  }
}
