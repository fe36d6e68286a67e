import type { Stage } from '../context.ts';
import { GatewayError } from '../errors.ts';
import { nonFinitePath, scanJson, type JsonLimits } from '../json-limits.ts';
import { paramOf } from '../param-path.ts';
import { readBody } from '../read-body.ts';

export interface ParseLimits extends JsonLimits {
  readonly maxBodyBytes: number;
}

/**
 * Reads the body and parses it as a JSON object, within bounds: its size while reading,
 * its nesting depth and key count before parsing (a linear scan of the bytes), and no
 * number that JSON.parse would turn into Infinity (forwarded, it would become `null`).
 * The parsed object is the one forwarded upstream; nothing copies it.
 */
export function parseRequest(limits: ParseLimits): Stage {
  return async function parseRequest(ctx, next) {
    const contentType = ctx.incoming.headers['content-type'];
    if (contentType === undefined || !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType)) {
      throw new GatewayError(
        'invalid_content_type',
        `Expected "Content-Type: application/json", got ${contentType === undefined ? 'none' : JSON.stringify(contentType)}.`,
      );
    }
    const raw = await readBody(ctx.incoming, limits.maxBodyBytes);
    const scan = scanJson(raw, limits);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new GatewayError('invalid_json', 'We could not parse the JSON body of your request: it is not valid JSON.');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
    }
    if (scan.hasNonFiniteNumber) {
      const path = nonFinitePath(parsed);
      if (path !== undefined) {
        const param = paramOf(path);
        throw new GatewayError('invalid_request', `Invalid value for '${param}': the number is too large to represent.`, { param });
      }
    }
    ctx.body = parsed as Record<string, unknown>;
    return next();
  };
}
