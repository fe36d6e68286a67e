import type { IncomingMessage } from 'node:http';
import type { ModelTable } from '../router/model-table.ts';
import { tenantOf } from './stages/authenticate.ts';
import { modelNotFound } from './stages/route.ts';
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

  list(incoming: IncomingMessage): { object: 'list'; data: ModelObject[] } {
    const tenant = tenantOf(incoming, this.#tenants);
    const data: ModelObject[] = [];
    for (const entry of this.#models.values()) {
      if (entry.targets.length > 0 && this.#tenants.allows(tenant, entry.alias)) data.push(this.#object(entry.alias));
    }
    return { object: 'list', data };
  }

  retrieve(incoming: IncomingMessage, alias: string): ModelObject {
    const tenant = tenantOf(incoming, this.#tenants);
    const entry = this.#models.get(alias);
    if (entry === undefined || entry.targets.length === 0 || !this.#tenants.allows(tenant, alias)) {
      throw modelNotFound(alias);
    }
    return this.#object(alias);
  }

  #object(id: string): ModelObject {
    return { id, object: 'model', created: this.#created, owned_by: 'tollgate' };
  }
}
