import type { z } from 'zod';
import type { Endpoint, Stage } from '../context.ts';
import { GatewayError } from '../errors.ts';
import { paramOf } from '../param-path.ts';
import { chatRequestSchema, completionsRequestSchema, embeddingsRequestSchema, moderationsRequestSchema } from '../request-schemas.ts';

const SCHEMAS: Record<Endpoint, z.ZodType> = {
  chat: chatRequestSchema,
  embeddings: embeddingsRequestSchema,
  completions: completionsRequestSchema,
  moderations: moderationsRequestSchema,
};

/**
 * Checks the parsed body against the endpoint's schema; every failure is a 400 naming the
 * parameter. The schema only validates: the body forwarded is the parsed object itself,
 * so unknown fields pass through untouched and nothing is copied.
 */
export function validateRequest(endpoint: Endpoint): Stage {
  const schema = SCHEMAS[endpoint];
  return async function validateRequest(ctx, next) {
    const body = ctx.body!;
    const result = schema.safeParse(body);
    if (!result.success) throw validationError(result.error, body);

    ctx.alias = body.model as string;
    if (endpoint === 'chat' || endpoint === 'completions') {
      ctx.stream = body.stream === true;
      ctx.clientWantsUsage = ctx.stream && (body.stream_options as { include_usage?: boolean } | null | undefined)?.include_usage === true;
    }
    return next();
  };
}

export function validationError(error: z.ZodError, body: Record<string, unknown>): GatewayError {
  const issue = error.issues[0]!;
  const param = paramOf(issue.path);
  if (valueAt(body, issue.path) === undefined) {
    return new GatewayError('invalid_request', `Missing required parameter: '${param}'.`, { param });
  }
  return new GatewayError('invalid_request', `Invalid value for '${param}': ${issue.message}.`, { param });
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
