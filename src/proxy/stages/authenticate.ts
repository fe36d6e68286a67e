import type { IncomingMessage } from 'node:http';
import type { Stage } from '../context.ts';
import { GatewayError } from '../errors.ts';
import type { Tenant, TenantDirectory } from '../tenants.ts';

/**
 * Maps the virtual key to its tenant, or answers 401. The key comes as
 * `Authorization: Bearer …` (OpenAI clients) or `x-api-key` (Anthropic clients).
 */
export function authenticate(tenants: TenantDirectory): Stage {
  return async function authenticate(ctx, next) {
    ctx.tenant = tenantOf(ctx.incoming, tenants);
    return next();
  };
}

export function tenantOf(incoming: IncomingMessage, tenants: TenantDirectory): Tenant {
  const key = credentialOf(incoming);
  if (key === undefined) {
    throw new GatewayError('invalid_api_key', 'Missing API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>".');
  }
  const tenant = tenants.find(key);
  if (tenant === undefined) throw new GatewayError('invalid_api_key', 'Incorrect API key provided.');
  return tenant;
}

/**
 * The one credential of the request. Two ways of sending it must not disagree: a request
 * carrying a bearer token and a different x-api-key is refused rather than guessed at.
 */
function credentialOf(incoming: IncomingMessage): string | undefined {
  const bearer = bearerToken(singleHeader(incoming, 'authorization', 'Authorization'));
  const apiKey = singleHeader(incoming, 'x-api-key', 'x-api-key')?.trim();
  const xKey = apiKey === '' ? undefined : apiKey;
  if (bearer !== undefined && xKey !== undefined && bearer !== xKey) {
    throw new GatewayError('invalid_request', 'Send one API key: the Authorization and x-api-key headers carry different keys.', { param: null });
  }
  return bearer ?? xKey;
}

/**
 * One header of a kind. Node keeps only the first of several in `headers`; a proxy in front
 * may read the last, and the two would disagree about who is calling, so a request with
 * more than one is refused (counted in `rawHeaders`, which keeps them all).
 */
function singleHeader(incoming: IncomingMessage, name: 'authorization' | 'x-api-key', display: string): string | undefined {
  const raw = incoming.rawHeaders;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const header = raw[i]!;
    if (header.length === name.length && header.toLowerCase() === name) count++;
  }
  if (count > 1) {
    throw new GatewayError('invalid_request', `Send one ${display} header; this request has ${count}.`, { param: null });
  }
  const value = incoming.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
