import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Config } from '../config/schema.ts';
import type { BudgetLedger } from '../metering/budget-ledger.ts';
import { remaining } from '../metering/budget-response.ts';
import { fromUnits, type TenantBudgets } from '../metering/limits.ts';
import { AdminKey } from './admin-key.ts';
import { GatewayError } from './errors.ts';
import { tenantOf } from './stages/authenticate.ts';
import type { TenantDirectory } from './tenants.ts';

// GET /v1/usage (the caller's own tenant) and GET /admin/usage?tenant=NAME (admin key):
// each limit's used, reserved and remaining amount in its current window, and when it resets.

export interface LimitUsage {
  window: string;
  measure: string;
  model: string | null;
  limit: number;
  used: number;
  reserved: number;
  remaining: number;
  /** ISO time the window ends; null for `total`. */
  resets_at: string | null;
}

export interface UsageReport {
  object: 'usage';
  tenant: string;
  limits: LimitUsage[];
}

export class UsageRoute {
  readonly #ledger: BudgetLedger;
  readonly #budgets: TenantBudgets;
  readonly #tenants: TenantDirectory;
  readonly #tenantNames: ReadonlySet<string>;
  readonly #adminKey: AdminKey;

  constructor(config: Config, ledger: BudgetLedger, budgets: TenantBudgets, tenants: TenantDirectory) {
    this.#ledger = ledger;
    this.#budgets = budgets;
    this.#tenants = tenants;
    this.#tenantNames = new Set(Object.keys(config.tenants));
    this.#adminKey = new AdminKey(config.server.adminKey);
  }

  own(incoming: IncomingMessage): Promise<UsageReport> {
    return this.#report(tenantOf(incoming, this.#tenants).name);
  }

  admin(headers: IncomingHttpHeaders, path: string, tenant: string | undefined): Promise<UsageReport> {
    this.#adminKey.check(headers, 'GET', path);
    if (tenant === undefined || tenant === '') {
      throw new GatewayError('invalid_request', "Missing required parameter: 'tenant'.", { param: 'tenant' });
    }
    if (!this.#tenantNames.has(tenant)) throw new GatewayError('not_found', `No tenant named '${tenant.slice(0, 100)}'.`, { param: 'tenant' });
    return this.#report(tenant);
  }

  async #report(tenant: string): Promise<UsageReport> {
    const statuses = await this.#ledger.read(tenant, this.#budgets.all(tenant));
    return {
      object: 'usage',
      tenant,
      limits: statuses.map((s) => ({
        window: s.spec.window,
        measure: s.spec.measure,
        model: s.spec.model ?? null,
        limit: fromUnits(s.spec.measure, s.spec.limit),
        used: fromUnits(s.spec.measure, s.used),
        reserved: fromUnits(s.spec.measure, s.reserved),
        remaining: fromUnits(s.spec.measure, remaining(s)),
        resets_at: s.resetAt === undefined ? null : new Date(s.resetAt).toISOString(),
      })),
    };
  }
}
