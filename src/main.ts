import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import type { LoadedConfig } from './config/load.ts';
import { GatewayError } from './proxy/errors.ts';
import { Lifecycle } from './lifecycle.ts';
import { BudgetLedger } from './metering/budget-ledger.ts';
import { PriceBook } from './metering/pricing.ts';
import { providersOutlastingReservations, unpricedTargets } from './metering/startup-checks.ts';
import { buildProviders, type Providers } from './providers/registry.ts';
import { buildModelTable, type ModelTable } from './router/model-table.ts';
import { connectState } from './state/shared-state.ts';

// Starts a gateway from a loaded config and stops it gracefully. The CLI and the
// end-to-end tests both start it through here.

export interface Gateway {
  readonly url: string;
  readonly port: number;
  readonly lifecycle: Lifecycle;
  /** Stop accepting, let in-flight requests and streams finish (up to the drain timeout), close. */
  shutdown(): Promise<void>;
}

export async function startGateway(loaded: LoadedConfig, logger: Logger, overrides: { port?: number; host?: string } = {}): Promise<Gateway> {
  const { config } = loaded;
  const providers = buildProviders(loaded);
  const models = buildModelTable(config, providers);
  const lifecycle = new Lifecycle();
  const state = connectState(config.state, logger);
  if (!(await state.ready(3_000))) logger.warn({ onUnavailable: config.state.kind === 'redis' ? config.state.onUnavailable : undefined }, 'Redis state store not reachable yet; reconnecting in the background');
  const prices = new PriceBook(config.pricing);
  const ledger = new BudgetLedger(state, { reservationTtlMs: config.policies.budgets.reservationTtl, logger });
  const app = createApp({ config, models, logger, lifecycle, ledger, prices });

  const host = overrides.host ?? config.server.host;
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: overrides.port ?? config.server.port, hostname: host }, () => resolve(s as Server));
    s.once('error', reject);
  });
  server.keepAliveTimeout = config.server.keepAliveTimeout;
  // Must outlast keepAliveTimeout, or a request arriving on an idle socket can be cut.
  server.headersTimeout = config.server.keepAliveTimeout + 5_000;

  const port = (server.address() as AddressInfo).port;
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
  logStartup(logger, loaded, providers, models, url);
  const unpriced = unpricedTargets(config, prices);
  if (unpriced.length > 0) logger.warn({ models: unpriced }, 'no price known for these models: their cost is logged as 0 (priced: false) and usd budgets do not count them; add them under pricing:');
  const outlasting = providersOutlastingReservations(config);
  if (outlasting.length > 0) logger.warn({ providers: outlasting }, 'policies.budgets.reservationTtl is not above these providers\' timeouts.total: a long call may outlive its reservation');

  let stopping: Promise<void> | undefined;
  const closeState = async () => {
    await ledger.close();
    await state.close();
  };
  const shutdown = () => (stopping ??= drain(server, lifecycle, providers, logger, config.server.drainTimeout).then(closeState));
  return { url, port, lifecycle, shutdown };
}

async function drain(server: Server, lifecycle: Lifecycle, providers: Providers, logger: Logger, drainTimeout: number): Promise<void> {
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
  logger.info('stopped');
}

function logStartup(logger: Logger, loaded: LoadedConfig, providers: Providers, models: ModelTable, url: string): void {
  const live = [...providers.live.values()].map((p) => `${p.name} (${p.kind})`);
  const disabled = Object.fromEntries(providers.disabled);
  const liveModels = [...models.values()].filter((m) => m.targets.length > 0).map((m) => m.alias);
  const unavailable = Object.fromEntries([...models.values()].filter((m) => m.targets.length === 0).map((m) => [m.alias, m.unavailable]));
  logger.info({ config: loaded.source, providers: live, disabledProviders: disabled, models: liveModels, unavailableModels: unavailable }, `Tollgate listening on ${url}`);
  for (const [name, reason] of providers.disabled) logger.warn(`provider "${name}" is disabled: ${reason}`);
  const real = [...providers.live.values()].filter((p) => p.kind !== 'mock');
  if (real.length === 0) {
    logger.warn('no real provider is live (no provider keys set): serving the built-in mock provider only');
  }
}
