import type { z } from 'zod';
import type { Endpoint, Stage } from '../context.ts';
import { GatewayError } from '../errors.ts';
import { readBody } from '../read-body.ts';
import { chatRequestSchema, embeddingsRequestSchema } from '../request-schemas.ts';

const SCHEMAS: Record<Endpoint, z.ZodType> = { chat: chatRequestSchema, embeddings: embeddingsRequestSchema };

/** Reads, parses and validates the JSON body; every failure is a 4xx naming the parameter. */
export function parseRequest(endpoint: Endpoint, maxBodyBytes: number): Stage {
  const schema = SCHEMAS[endpoint];
  return async function parseRequest(ctx, next) {
    const contentType = ctx.incoming.headers['content-type'];
    if (contentType === undefined || !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType)) {
      throw new GatewayError(
        'invalid_content_type',
        `Expected "Content-Type: application/json", got ${contentType === undefined ? 'none' : JSON.stringify(contentType)}.`,
      );
    }
    const raw = await readBody(ctx.incoming, maxBodyBytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new GatewayError('invalid_json', 'We could not parse the JSON body of your request: it is not valid JSON.');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
    }
    const result = schema.safeParse(parsed);
    if (!result.success) throw validationError(result.error, parsed as Record<string, unknown>);

    const body = result.data as Record<string, unknown>;
    ctx.body = body;
    ctx.alias = body.model as string;
    if (endpoint === 'chat') {
      ctx.stream = body.stream === true;
      ctx.clientWantsUsage = ctx.stream && (body.stream_options as { include_usage?: boolean } | null | undefined)?.include_usage === true;
    }
    return next();
  };
}

function validationError(error: z.ZodError, body: Record<string, unknown>): GatewayError {
  const issue = error.issues[0]!;
  const param = paramOf(issue.path);
  if (valueAt(body, issue.path) === undefined) {
    return new GatewayError('invalid_request', `Missing required parameter: '${param}'.`, { param });
  }
  return new GatewayError('invalid_request', `Invalid value for '${param}': ${issue.message}.`, { param });
}

/** OpenAI-style parameter path: messages[2].role */
function paramOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
