import type { IncomingHttpHeaders } from 'node:http';
import type { ModelTable } from '../router/model-table.ts';
import { GatewayError } from './errors.ts';
import { tenantOf } from './stages/authenticate.ts';
import type { TenantDirectory } from './tenants.ts';

// GET /v1/models and /v1/models/{id}: the aliases this key may use that have a live provider.

interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export class ModelsRoute {
  readonly #models: ModelTable;
  readonly #tenants: TenantDirectory;
  readonly #created = Math.floor(Date.now() / 1000);

  constructor(models: ModelTable, tenants: TenantDirectory) {
    this.#models = models;
    this.#tenants = tenants;
  }

  list(headers: IncomingHttpHeaders): { object: 'list'; data: ModelObject[] } {
    const tenant = tenantOf(headers, this.#tenants);
    const data: ModelObject[] = [];
    for (const entry of this.#models.values()) {
      if (entry.targets.length > 0 && this.#tenants.allows(tenant, entry.alias)) data.push(this.#object(entry.alias));
    }
    return { object: 'list', data };
  }

  retrieve(headers: IncomingHttpHeaders, alias: string): ModelObject {
    const tenant = tenantOf(headers, this.#tenants);
    const entry = this.#models.get(alias);
    if (entry === undefined || entry.targets.length === 0 || !this.#tenants.allows(tenant, alias)) {
      throw new GatewayError('model_not_found', `The model '${alias}' does not exist or this key may not use it.`, { param: 'model' });
    }
    return this.#object(alias);
  }

  #object(id: string): ModelObject {
    return { id, object: 'model', created: this.#created, owned_by: 'tollgate' };
  }
}
