import type { Config } from '../config/schema.ts';
import type { BudgetLedger } from '../metering/budget-ledger.ts';
import { remaining } from '../metering/budget-response.ts';
import { fromUnits, type TenantBudgets } from '../metering/limits.ts';
import type { ModelTable } from '../router/model-table.ts';
import type { Router } from '../router/router.ts';
import { routingOf } from '../router/target-routing.ts';
import type { Metrics } from './metrics.ts';

// Figures that are not per request, read when Prometheus scrapes (never on the request
// path): breaker state per target, budget left per tenant and limit, requests in flight.

export interface GaugeSources {
  readonly config: Config;
  readonly models: ModelTable;
  readonly router: Router;
  readonly ledger: BudgetLedger;
  readonly budgets: TenantBudgets;
  readonly inflight: () => number;
}

// Registered once per registry; a reloaded config only swaps the sources they read.
const boards = new WeakMap<object, { sources: GaugeSources }>();

export function registerCollectedGauges(metrics: Metrics, sources: GaugeSources): void {
  const known = boards.get(metrics.registry);
  if (known !== undefined) {
    known.sources = sources;
    return;
  }
  const board = { sources };
  boards.set(metrics.registry, board);
  const { Gauge } = metrics;
  const registers = [metrics.registry];

  new Gauge({
    name: 'tollgate_breaker_open',
    help: 'Circuit breaker per target: 1 open (skipped), 0 closed or probing.',
    labelNames: ['target'],
    registers,
    async collect() {
      const targets = breakerTargets(board.sources.models);
      const open = new Set(await board.sources.router.breakers.openKeys(targets).catch(() => []));
      for (const target of targets) this.set({ target }, open.has(target) ? 1 : 0);
    },
  });

  const budgetRows = sharedRead(() => readBudgets(board.sources));
  const limitLabels = ['tenant', 'window', 'measure', 'model'] as const;
  new Gauge({
    name: 'tollgate_budget_remaining',
    help: 'What is left of each tenant budget limit in its current window (usd, tokens or requests).',
    labelNames: limitLabels,
    registers,
    async collect() {
      this.reset();
      for (const row of await budgetRows()) this.set(row.labels, row.remaining);
    },
  });
  new Gauge({
    name: 'tollgate_budget_limit',
    help: 'Each tenant budget limit (same labels as tollgate_budget_remaining).',
    labelNames: limitLabels,
    registers,
    async collect() {
      this.reset();
      for (const row of await budgetRows()) this.set(row.labels, row.limit);
    },
  });

  new Gauge({
    name: 'tollgate_inflight_requests',
    help: 'HTTP responses open now (JSON and streams).',
    registers,
    collect() {
      this.set(board.sources.inflight());
    },
  });
}

function breakerTargets(models: ModelTable): string[] {
  const keys = new Set<string>();
  for (const entry of models.values()) {
    for (const target of entry.targets) {
      const routing = routingOf(target);
      if (routing.breaker !== undefined) keys.add(routing.key);
    }
  }
  return [...keys].sort();
}

interface BudgetRow {
  readonly labels: { tenant: string; window: string; measure: string; model: string };
  readonly remaining: number;
  readonly limit: number;
}

async function readBudgets(sources: GaugeSources): Promise<BudgetRow[]> {
  const rows: BudgetRow[] = [];
  for (const tenant of Object.keys(sources.config.tenants)) {
    const limits = sources.budgets.all(tenant);
    if (limits.length === 0) continue;
    // A store that cannot be read leaves the tenant out of this scrape rather than failing it.
    const statuses = await sources.ledger.read(tenant, limits).catch(() => []);
    for (const s of statuses) {
      const labels = { tenant, window: s.spec.window, measure: s.spec.measure, model: s.spec.model ?? '*' };
      rows.push({ labels, remaining: fromUnits(s.spec.measure, remaining(s)), limit: fromUnits(s.spec.measure, s.spec.limit) });
    }
  }
  return rows;
}

/**
 * Both budget gauges of one scrape share one read of the store (the registry collects them
 * concurrently): a read serves `consumers` calls, or one second, whichever ends first.
 */
function sharedRead<T>(read: () => Promise<T>, consumers = 2): () => Promise<T> {
  let pending: Promise<T> | undefined;
  let at = 0;
  let served = 0;
  return () => {
    const now = Date.now();
    if (pending === undefined || served >= consumers || now - at > 1_000) {
      pending = read();
      at = now;
      served = 0;
    }
    served++;
    return pending;
  };
}
