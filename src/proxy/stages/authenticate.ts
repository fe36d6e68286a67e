import type { IncomingMessage } from 'node:http';
import type { Stage } from '../context.ts';
import { GatewayError } from '../errors.ts';
import type { Tenant, TenantDirectory } from '../tenants.ts';

/** Maps the virtual key (`Authorization: Bearer …`) to its tenant, or answers 401. */
export function authenticate(tenants: TenantDirectory): Stage {
  return async function authenticate(ctx, next) {
    ctx.tenant = tenantOf(ctx.incoming, tenants);
    return next();
  };
}

export function tenantOf(incoming: IncomingMessage, tenants: TenantDirectory): Tenant {
  const key = bearerToken(authorizationOf(incoming));
  if (key === undefined) {
    throw new GatewayError('invalid_api_key', 'Missing API key: send it as "Authorization: Bearer <key>".');
  }
  const tenant = tenants.find(key);
  if (tenant === undefined) throw new GatewayError('invalid_api_key', 'Incorrect API key provided.');
  return tenant;
}

/**
 * The one Authorization header. Node keeps only the first of several in `headers`; a proxy
 * in front may read the last, and the two would disagree about who is calling, so a
 * request with more than one is refused (counted in `rawHeaders`, which keeps them all).
 */
function authorizationOf(incoming: IncomingMessage): string | undefined {
  const raw = incoming.rawHeaders;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') count++;
  }
  if (count > 1) {
    throw new GatewayError('invalid_request', `Send one Authorization header; this request has ${count}.`, { param: null });
  }
  return incoming.headers.authorization;
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
