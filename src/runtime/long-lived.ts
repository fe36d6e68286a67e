import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { Lifecycle } from '../lifecycle.ts';
import { BudgetLedger } from '../metering/budget-ledger.ts';
import { PriceBook, type Cost, type ModelPrice, type PricedUsage } from '../metering/pricing.ts';
import type { RunStore } from '../metering/runs/run-types.ts';
import { runStoreFor } from '../metering/runs/shared-run-store.ts';
import { createRouter, type Router } from '../router/router.ts';
import { ShadowTraffic } from '../router/shadow-traffic.ts';
import { ResponseCache } from '../cache/response-cache.ts';
import { Approvals } from '../policies/approvals/approvals.ts';
import { connectState, type SharedState } from '../state/shared-state.ts';
import { responseStoreFor, type ResponseStore } from '../surfaces/responses/store.ts';
import { createTelemetry, type Telemetry, type TelemetryOptions } from '../telemetry/telemetry.ts';

// What the gateway keeps for its whole life, whatever config is loaded: the shared-state
// connection, budget ledger, breakers and routing memory, run guards' store, the shadow
// queue, pending approvals, the response cache and idempotency records, stored Responses,
// telemetry (one metrics registry, one tracer, one audit log) and the drain lifecycle. A config reload builds new config-derived pieces (see
// generation.ts) around these, so budget usage, open breakers and agent runs carry over.

const STATE_CONNECT_WAIT_MS = 3_000;

export interface LongLived {
  readonly state: SharedState;
  readonly router: Router;
  readonly lifecycle: Lifecycle;
  readonly ledger: BudgetLedger;
  readonly runStore: RunStore;
  readonly shadowTraffic: ShadowTraffic;
  /** Prices of the config now serving (shadow calls started later price with the newer ones). */
  readonly prices: SwappablePriceBook;
  readonly telemetry: Telemetry;
  readonly approvals: Approvals;
  readonly cache: ResponseCache;
  readonly responseStore: ResponseStore;
}

export async function createLongLived(config: Config, logger: Logger, telemetryOptions?: TelemetryOptions): Promise<LongLived> {
  const state = connectState(config.state, logger);
  // Shared breakers need the connection before the first request; a Redis that is down is
  // reported and the gateway starts anyway (see state.onUnavailable).
  if (!(await state.ready(STATE_CONNECT_WAIT_MS))) logger.warn('the Redis state store is not reachable yet; retrying in the background');
  const lifecycle = new Lifecycle();
  const prices = new SwappablePriceBook(new PriceBook(config.pricing));
  const telemetry = await createTelemetry(config, logger, state, telemetryOptions);
  return {
    state,
    router: createRouter(state),
    lifecycle,
    ledger: new BudgetLedger(state, { reservationTtlMs: config.policies.budgets.reservationTtl, logger }),
    runStore: runStoreFor(state, logger),
    shadowTraffic: new ShadowTraffic(logger, prices, lifecycle.drainSignal),
    prices,
    telemetry,
    approvals: new Approvals({ config, state, logger, stopSignal: lifecycle.drainSignal }),
    cache: new ResponseCache({ config, state, logger, prices }),
    responseStore: responseStoreFor(state, { ...config.server.responses, ttlMs: config.server.responses.ttl }),
  };
}

/** A price book whose table is replaced on reload, for the pieces that outlive a config. */
export class SwappablePriceBook extends PriceBook {
  #current: PriceBook;
  constructor(initial: PriceBook) {
    super();
    this.#current = initial;
  }
  swap(next: PriceBook): void {
    this.#current = next;
  }
  override priceOf(model: string): ModelPrice | undefined {
    return this.#current.priceOf(model);
  }
  override cost(model: string, usage: PricedUsage): Cost {
    return this.#current.cost(model, usage);
  }
}

/** Config keys read once at start, by pieces that live as long as the process: a reload cannot change them. */
export function restartOnlyChanges(before: Config, after: Config): string[] {
  const changed: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  // The listener's own settings; adminKey, allowDemoKey, runIdHeader and cors are read per request.
  const listener = ({ adminKey: _a, allowDemoKey: _d, runIdHeader: _r, cors: _c, ...rest }: Config['server']) => rest;
  for (const [key, value] of Object.entries(listener(before.server))) {
    if (!same(value, (listener(after.server) as Record<string, unknown>)[key])) changed.push(`server.${key}`);
  }
  if (!same(before.state, after.state)) changed.push('state');
  if (before.policies.budgets.reservationTtl !== after.policies.budgets.reservationTtl) changed.push('policies.budgets.reservationTtl');
  if (before.logging.format !== after.logging.format) changed.push('logging.format');
  for (const key of ['telemetry', 'approvals', 'cache', 'idempotency'] as const) {
    if (!same(before[key], after[key])) changed.push(key);
  }
  if (before.policies.limits.maxBodyBytes !== after.policies.limits.maxBodyBytes) changed.push('policies.limits.maxBodyBytes (for Expect: 100-continue)');
  return changed;
}
