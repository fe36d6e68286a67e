import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type HttpBindings } from '@hono/node-server';
import type { Logger } from 'pino';
import type { LoadedConfig } from './config/load.ts';
import type { Config } from './config/schema.ts';
import { GatewayError } from './proxy/errors.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { BudgetLedger } from './metering/budget-ledger.ts';
import { providersOutlastingReservations, unpricedTargets } from './metering/startup-checks.ts';
import type { Providers } from './providers/registry.ts';
import type { TenantDirectory } from './proxy/tenants.ts';
import { buildGeneration, type Generation } from './runtime/generation.ts';
import { createLongLived, restartOnlyChanges } from './runtime/long-lived.ts';
import { hardenServer, serverOptions } from './server/http-server.ts';
import type { SharedState } from './state/shared-state.ts';
import type { TelemetryOptions } from './telemetry/telemetry.ts';

// Starts a gateway from a loaded config and stops it gracefully. The CLI and the
// end-to-end tests both start it through here.

export interface Gateway {
  readonly url: string;
  readonly port: number;
  readonly lifecycle: Lifecycle;
  readonly server: Server;
  /** Stop accepting, let in-flight requests and streams finish (up to the drain timeout), close. */
  shutdown(): Promise<void>;
  /** Serve a validated config from now on; requests already started finish on the old one. Throws if it cannot be built. */
  reload(next: LoadedConfig): void;
  /** The config now serving. */
  readonly config: Config;
}

export async function startGateway(
  loaded: LoadedConfig,
  logger: Logger,
  overrides: { port?: number; host?: string; telemetry?: TelemetryOptions } = {},
): Promise<Gateway> {
  const host = overrides.host ?? loaded.config.server.host;
  // Stateful pieces once; config-derived ones per generation (swapped by reload()).
  const longLived = await createLongLived(loaded.config, logger, overrides.telemetry);
  const { lifecycle, ledger, state } = longLived;
  let current = buildGeneration(loaded, host, logger, longLived);
  const generations = new Set([current]);
  const { config } = current;
  // Expect: 100-continue is answered before the pipeline, with the tenants now serving.
  const tenants = new Proxy({} as TenantDirectory, {
    get: (_, key) => {
      const value: unknown = Reflect.get(current.tenants, key, current.tenants);
      return typeof value === 'function' ? value.bind(current.tenants) : value;
    },
  });

  const server = await new Promise<Server>((resolve, reject) => {
    // HTTP/1 only (serverOptions): the bindings are the node:http ones.
    const fetch = (request: Request, env: unknown) => current.fetch(request, env as HttpBindings);
    const options = { fetch, port: overrides.port ?? config.server.port, hostname: host, serverOptions: serverOptions(config.server) };
    const s = serve(options, () => {
      // Listening: from here on, server errors are logged and the gateway keeps serving.
      s.off('error', reject);
      hardenServer(s, { config, tenants, logger });
      resolve(s);
    }) as Server;
    s.once('error', reject);
  });

  const port = (server.address() as AddressInfo).port;
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
  logStartup(logger, current, `Tollgate listening on ${url}`);

  const reload = (next: LoadedConfig): void => {
    if (lifecycle.draining) throw new Error('the gateway is shutting down');
    const fixed = restartOnlyChanges(current.config, next.config);
    const generation = buildGeneration(next, host, logger, longLived);
    const previous = current;
    current = generation;
    generations.add(generation);
    longLived.prices.swap(generation.prices);
    logger.level = next.config.logging.level;
    previous.retire();
    logStartup(logger, generation, `configuration reloaded from ${next.source}`);
    if (fixed.length > 0) logger.warn({ keys: fixed }, 'these settings take effect only on restart; the running values are kept');
  };

  let stopping: Promise<void> | undefined;
  const shutdown = () => (stopping ??= drain(server, lifecycle, [...generations].map((g) => g.providers), state, ledger, logger, config.server.drainTimeout).finally(() => longLived.telemetry.close()));
  return {
    url,
    port,
    lifecycle,
    server,
    shutdown,
    reload,
    get config() {
      return current.config;
    },
  };
}

async function drain(
  server: Server,
  lifecycle: Lifecycle,
  providers: Providers[],
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
    const reason = new GatewayError('shutting_down', 'The gateway is shutting down; the request was ended before it finished.');
    await Promise.all(providers.map((p) => p.destroy(reason)));
    // Give the error events a moment to reach the clients before the sockets go.
    await lifecycle.waitIdle(1_000);
  }
  server.closeAllConnections();
  await closed;
  await Promise.all(providers.map((p) => p.close()));
  // Settlements queued while Redis was away are delivered (or given up) before it closes.
  await ledger.close();
  await state.close();
  logger.info('stopped');
}

function logStartup(logger: Logger, generation: Generation, message: string): void {
  const { loaded, config, providers, models, prices } = generation;
  const live = [...providers.live.values()].map((p) => `${p.name} (${p.kind})`);
  const disabled = Object.fromEntries(providers.disabled);
  const liveModels = [...models.values()].filter((m) => m.targets.length > 0).map((m) => m.alias);
  const unavailable = Object.fromEntries([...models.values()].filter((m) => m.targets.length === 0).map((m) => [m.alias, m.unavailable]));
  logger.info(
    { config: loaded.source, providers: live, disabledProviders: disabled, models: liveModels, unavailableModels: unavailable, node: process.version, nodeFlags: process.execArgv, mallocArenaMax: process.env.MALLOC_ARENA_MAX },
    message,
  );
  for (const [name, reason] of providers.disabled) logger.warn(`provider "${name}" is disabled: ${reason}`);
  if (Object.values(config.tenants).every((t) => t.keys.length === 0)) {
    logger.warn('no tenant has a key: every API request will be refused with 401 (give tenants keys in the config)');
  }
  const real = [...providers.live.values()].filter((p) => p.kind !== 'mock');
  if (real.length === 0) {
    logger.warn('no real provider is live (no provider keys set): serving the built-in mock provider only');
  }
  const unpriced = unpricedTargets(config, prices);
  if (unpriced.length > 0) logger.warn({ models: unpriced }, 'no price known for these models: their cost is logged as 0 (priced: false) and usd budgets do not count them; add them under pricing:');
  const outlasting = providersOutlastingReservations(config);
  if (outlasting.length > 0) logger.warn({ providers: outlasting }, 'policies.budgets.reservationTtl is not above these providers\' timeouts.total: a long call may outlive its reservation');
}
