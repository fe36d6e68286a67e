import type { IncomingHttpHeaders } from 'node:http';
import type { Stage } from '../context.ts';
import { GatewayError } from '../errors.ts';
import type { Tenant, TenantDirectory } from '../tenants.ts';

/** Maps the virtual key (`Authorization: Bearer …`) to its tenant, or answers 401. */
export function authenticate(tenants: TenantDirectory): Stage {
  return async function authenticate(ctx, next) {
    ctx.tenant = tenantOf(ctx.incoming.headers, tenants);
    return next();
  };
}

export function tenantOf(headers: IncomingHttpHeaders, tenants: TenantDirectory): Tenant {
  const key = bearerToken(headers.authorization);
  if (key === undefined) {
    throw new GatewayError('invalid_api_key', 'Missing API key: send it as "Authorization: Bearer <key>".');
  }
  const tenant = tenants.find(key);
  if (tenant === undefined) throw new GatewayError('invalid_api_key', 'Incorrect API key provided.');
  return tenant;
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
