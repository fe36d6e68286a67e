import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../../proxy/errors.ts';
import { tenantOf } from '../../proxy/stages/authenticate.ts';
import type { TenantDirectory } from '../../proxy/tenants.ts';
import type { ResponseStore } from './store.ts';

// GET /v1/responses/{id}, DELETE /v1/responses/{id} and GET /v1/responses/{id}/input_items
// for responses this gateway stored. The caller's key names its tenant, and lookups are
// scoped to it: another tenant's id answers exactly as an unknown one does (404).

type Json = Record<string, unknown>;
const MAX_PAGE = 100;

export class StoredResponseRoutes {
  readonly #store: ResponseStore;
  readonly #tenants: TenantDirectory;

  constructor(store: ResponseStore, tenants: TenantDirectory) {
    this.#store = store;
    this.#tenants = tenants;
  }

  async retrieve(incoming: IncomingMessage, id: string): Promise<Json> {
    return (await this.#find(incoming, id)).response;
  }

  async remove(incoming: IncomingMessage, id: string): Promise<Json> {
    const tenant = tenantOf(incoming, this.#tenants).name;
    if (!(await this.#store.delete(tenant, id))) throw notFound(id);
    return { id, object: 'response', deleted: true };
  }

  /** One page of the input items, newest first unless `order=asc` (OpenAI's default is desc). */
  async inputItems(incoming: IncomingMessage, id: string, query: { limit?: string; order?: string; after?: string }): Promise<Json> {
    const items = [...(await this.#find(incoming, id)).inputItems];
    if (query.order !== undefined && query.order !== 'asc' && query.order !== 'desc') {
      throw new GatewayError('invalid_request', "Invalid value for 'order': expected 'asc' or 'desc'.", { param: 'order' });
    }
    if (query.order !== 'asc') items.reverse();
    const limit = query.limit === undefined ? 20 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new GatewayError('invalid_request', `Invalid value for 'limit': expected an integer from 1 to ${MAX_PAGE}.`, { param: 'limit' });
    }
    const start = query.after === undefined ? 0 : items.findIndex((item) => item.id === query.after) + 1;
    const page = items.slice(start, start + limit);
    return {
      object: 'list',
      data: page,
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
      has_more: start + limit < items.length,
    };
  }

  async #find(incoming: IncomingMessage, id: string) {
    const tenant = tenantOf(incoming, this.#tenants).name;
    const found = await this.#store.get(tenant, id);
    if (found === undefined) throw notFound(id);
    return found;
  }
}

function notFound(id: string): GatewayError {
  return new GatewayError('not_found', `Response with id '${id.slice(0, 200)}' not found.`, { param: 'response_id' });
}
