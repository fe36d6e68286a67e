import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { toGatewayError, type GatewayError } from '../proxy/errors.ts';
import { tooLarge } from '../proxy/read-body.ts';
import { requestIdFrom } from '../proxy/request-id.ts';
import { tenantOf } from '../proxy/stages/authenticate.ts';
import type { TenantDirectory } from '../proxy/tenants.ts';

// `Expect: 100-continue` asks whether to send the body at all. Node answers "100 Continue"
// at once by default; the gateway first checks what it can from the headers — the key, then
// the declared size, in the pipeline's order — so a client with a bad key or an oversized body
// is refused before it uploads anything.

export function checkBeforeContinue(server: Server, deps: { tenants: TenantDirectory; maxBodyBytes: number; logger: Logger }): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    const refusal = refusalOf(request, deps);
    if (refusal === undefined) {
      response.writeContinue();
      server.emit('request', request, response);
      return;
    }
    const reqId = requestIdFrom(request.headers['x-request-id']);
    // The body was never asked for: closing leaves nothing unread behind.
    const body = JSON.stringify(refusal.toEnvelope());
    response.writeHead(refusal.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-request-id': reqId,
      connection: 'close',
    });
    response.end(body);
    deps.logger.info(
      { reqId, status: refusal.status, code: refusal.publicCode, expect: '100-continue' },
      `request refused before 100 Continue: ${refusal.message}`,
    );
  });
}

function refusalOf(request: IncomingMessage, deps: { tenants: TenantDirectory; maxBodyBytes: number }): GatewayError | undefined {
  // Only the API's body-carrying routes; anything else gets its usual answer after the body.
  if (request.method !== 'POST' || !request.url?.startsWith('/v1/')) return undefined;
  try {
    tenantOf(request, deps.tenants);
  } catch (err) {
    return toGatewayError(err);
  }
  if (Number(request.headers['content-length']) > deps.maxBodyBytes) return tooLarge(deps.maxBodyBytes);
  return undefined;
}
