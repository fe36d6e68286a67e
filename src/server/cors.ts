import type { MiddlewareHandler } from 'hono';
import type { CorsConfig } from '../config/schema.ts';

// CORS for browser clients, off unless `server.cors` lists origins. A listed origin's
// preflight is answered here (204) and its responses (JSON, streams and errors) carry the
// CORS headers; an origin not listed gets none, so the browser refuses the answer.

const ALWAYS_ALLOWED = ['authorization', 'content-type', 'x-request-id', 'openai-organization', 'openai-project', 'openai-beta'];
const EXPOSED = 'x-request-id, x-tollgate-model, x-tollgate-attempts, x-tollgate-route, retry-after, x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, x-ratelimit-reset-tokens';
const METHODS = 'GET, HEAD, POST, DELETE, OPTIONS';

export function cors(config: CorsConfig | undefined, runIdHeader: string): MiddlewareHandler {
  if (config === undefined) return async (_c, next) => next();
  const anyOrigin = config.origins.includes('*');
  const origins = new Set(config.origins);
  const allowHeaders = [...new Set([...ALWAYS_ALLOWED, runIdHeader, ...config.headers.map((h) => h.toLowerCase())])].join(', ');
  const maxAge = String(Math.floor(config.maxAge / 1000));

  return async function corsHeaders(c, next) {
    const origin = c.req.header('origin');
    if (origin === undefined || !(anyOrigin || origins.has(origin))) return next();
    const allowOrigin = anyOrigin ? '*' : origin;
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method') !== undefined) {
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': allowOrigin,
          'access-control-allow-methods': METHODS,
          'access-control-allow-headers': allowHeaders,
          'access-control-max-age': maxAge,
          vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
        },
      });
    }
    await next();
    c.res.headers.set('access-control-allow-origin', allowOrigin);
    c.res.headers.set('access-control-expose-headers', EXPOSED);
    if (!anyOrigin) c.res.headers.append('vary', 'Origin');
  };
}
