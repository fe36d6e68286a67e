import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { applyBodyPolicy, BodyBudget } from '../proxy/body-policy.ts';
import type { TenantDirectory } from '../proxy/tenants.ts';
import { capConnections, connectionCap, logServerErrors } from './connections.ts';
import { checkBeforeContinue } from './expect-continue.ts';
import { enforceSendTimeout, lingerOnUnreadBody, type LingerBounds } from './per-request-guards.ts';

// What the HTTP server itself enforces, before and around the routes: deadlines for slow
// clients, the connection cap, the body budget, lingering close and `Expect: 100-continue`.

/** Reading and discarding a refused body: at most this much, for at most this long. */
const LINGER: LingerBounds = { maxBytes: 64 * 1024 * 1024, maxMs: 5_000 };
/** Node's own whole-request deadline backs up the body timeout for bodies no stage reads. */
const REQUEST_TIMEOUT_SLACK_MS = 2_000;

/** Options for the server's constructor (Node reads some of them only there). */
export function serverOptions(server: Config['server']): ServerOptions {
  const { headers, body } = server.timeouts;
  return {
    // A new connection, or a request on a kept-alive one, gets 408 and is closed when its
    // headers take longer than this (idle keep-alive connections are not affected).
    headersTimeout: headers,
    requestTimeout: headers + body + REQUEST_TIMEOUT_SLACK_MS,
    // How often Node checks those two deadlines (its default, 30 s, would blur them).
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headers / 2))),
    keepAliveTimeout: server.keepAliveTimeout,
  };
}

export function hardenServer(server: Server, deps: { config: Config; tenants: TenantDirectory; logger: Logger }): void {
  const { config, logger } = deps;
  const { timeouts } = config.server;
  const bodies = { timeoutMs: timeouts.body, budget: new BodyBudget(config.server.maxBufferedBodyBytes) };
  capConnections(server, connectionCap(config.server.maxConnections), logger, (socket: Socket) => applyBodyPolicy(socket, bodies));
  logServerErrors(server, logger);
  checkBeforeContinue(server, { tenants: deps.tenants, maxBodyBytes: config.policies.limits.maxBodyBytes, logger });
  // Before the app's listener: an answer it gives synchronously must already find these.
  server.prependListener('request', (request, response) => {
    enforceSendTimeout(request, response, timeouts.send);
    lingerOnUnreadBody(request, response, LINGER);
  });
}
