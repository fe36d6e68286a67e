import { BUDGET_MEASURES, type BudgetConfig, type BudgetMeasure, type Config } from '../config/schema.ts';
import type { Window } from './windows.ts';

// Each tenant's configured limits, resolved once at start. Amounts are integers in store
// units: requests and tokens as they are, USD in nano-dollars, so every sum in the store is
// exact (no float drift between processes or in Lua).

export const NANO_PER_USD = 1_000_000_000;

export interface LimitSpec {
  /** Stable across restarts and reordering: window, measure and model. */
  readonly id: string;
  readonly window: Window;
  readonly measure: BudgetMeasure;
  /** The model alias it is limited to, or undefined for every model. */
  readonly model: string | undefined;
  /** The allowance in store units. */
  readonly limit: number;
}

/** One amount per measure, in store units. */
export type Amounts = Readonly<Record<BudgetMeasure, number>>;

export function toUnits(measure: BudgetMeasure, value: number): number {
  return measure === 'usd' ? Math.round(value * NANO_PER_USD) : value;
}

export function fromUnits(measure: BudgetMeasure, units: number): number {
  return measure === 'usd' ? units / NANO_PER_USD : units;
}

/** USD as nano-dollars, rounded up, so a reservation is never below what settlement charges. */
export function usdToUnits(usd: number): number {
  return Number.isFinite(usd) && usd > 0 ? Math.min(Math.ceil(usd * NANO_PER_USD - 1e-6), Number.MAX_SAFE_INTEGER) : 0;
}

function specOf(budget: BudgetConfig): LimitSpec {
  const measure = BUDGET_MEASURES.find((m) => budget[m] !== undefined)!;
  return {
    id: `${budget.window}.${measure}.${budget.model ?? '*'}`,
    window: budget.window,
    measure,
    model: budget.model,
    limit: toUnits(measure, budget[measure]!),
  };
}

export class TenantBudgets {
  readonly #byTenant = new Map<string, readonly LimitSpec[]>();

  constructor(config: Config) {
    for (const [name, tenant] of Object.entries(config.tenants)) {
      if (tenant.budgets !== undefined && tenant.budgets.length > 0) this.#byTenant.set(name, tenant.budgets.map(specOf));
    }
  }

  /** Every limit of a tenant (for usage reports). */
  all(tenant: string): readonly LimitSpec[] {
    return this.#byTenant.get(tenant) ?? [];
  }

  /** The limits a request for `alias` counts against. */
  applicable(tenant: string, alias: string): readonly LimitSpec[] {
    const all = this.all(tenant);
    return all.some((l) => l.model !== undefined) ? all.filter((l) => l.model === undefined || l.model === alias) : all;
  }
}
