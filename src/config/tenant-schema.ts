import { z } from 'zod';
import { injectionOverrideSchema } from './injection-schema.ts';
import { name } from './schema-parts.ts';
import { byteSize, duration } from './units.ts';

// `tenants.NAME`: keys, models, budgets, agent-run guards, tool tiers, cache use and policy
// overrides; and `policies.toolCalls`, which a tenant's override mirrors.

const keyHash = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:<64 hex digits>" (print one with `tollgate hash-key KEY`)');

/** Per-run guards for agents that send a run id; every limit is optional. */
const runsSchema = z.strictObject({
  maxSteps: z.number().int().min(1).optional(),
  maxTokens: z.number().int().min(1).optional(),
  maxUsd: z.number().positive().optional(),
  maxToolCalls: z.number().int().min(0).optional(),
  /** The same tool call (or the same request) more than this many times in a run is a loop. */
  maxRepeatedToolCalls: z.number().int().min(1).optional(),
  /** A run with no step for this long is forgotten (its counts start over). */
  idleTimeout: duration()
    .refine((ms) => ms >= 1_000, 'expected at least 1s')
    .default(30 * 60_000),
});
export const BUDGET_MEASURES = ['requests', 'tokens', 'input_tokens', 'output_tokens', 'usd'] as const;
export type BudgetMeasure = (typeof BUDGET_MEASURES)[number];
const tokenCount = z.number().int().nonnegative().max(1e15);

/** One limit: a window and exactly one measure, optionally for one model alias only. */
const budgetSchema = z
  .strictObject({
    /** UTC calendar windows; `total` never resets. */
    window: z.enum(['minute', 'hour', 'day', 'month', 'total']),
    requests: tokenCount.optional(),
    tokens: tokenCount.optional(),
    input_tokens: tokenCount.optional(),
    output_tokens: tokenCount.optional(),
    /** Stored in nano-dollars, so at most $1M per limit keeps every sum an exact integer. */
    usd: z.number().nonnegative().max(1_000_000).optional(),
    /** A model alias: the limit counts only requests for it. */
    model: z.string().min(1).optional(),
  })
  .superRefine((budget, ctx) => {
    const given = BUDGET_MEASURES.filter((m) => budget[m] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `give exactly one of ${BUDGET_MEASURES.join(', ')} (got ${given.length === 0 ? 'none' : given.join(', ')})` });
    }
  });


// Tool calls: schema validation of what the model returns, and per-tenant tool tiers.
const TOOL_CALL_FIELDS = {
  /** `shadow` logs and counts what would have happened, and changes nothing. */
  mode: z.enum(['enforce', 'shadow']),
  /** `reject`: 502 invalid_tool_call (or an SSE error event); `repair`: re-ask with the errors as feedback; `annotate`: pass and flag. */
  onInvalid: z.enum(['reject', 'repair', 'annotate']),
  /** Re-asks per request with `onInvalid: repair` (each is metered). */
  maxRepairs: z.number().int().min(1).max(5),
  /** Arguments longer than this make a call invalid (held in memory while a stream is checked). */
  maxArgumentBytes: byteSize().pipe(z.number().int().min(1).max(16 * 1024 * 1024)),
  /** Tool calls per answer; more make the answer invalid. */
  maxCalls: z.number().int().min(1).max(1024),
  /** Also validate `response_format: json_schema` answers against their schema. */
  responseFormat: z.boolean(),
};
export const toolCallsSchema = z.strictObject({
  mode: TOOL_CALL_FIELDS.mode.default('enforce'),
  onInvalid: TOOL_CALL_FIELDS.onInvalid.default('reject'),
  maxRepairs: TOOL_CALL_FIELDS.maxRepairs.default(1),
  maxArgumentBytes: TOOL_CALL_FIELDS.maxArgumentBytes.default(256 * 1024),
  maxCalls: TOOL_CALL_FIELDS.maxCalls.default(64),
  responseFormat: TOOL_CALL_FIELDS.responseFormat.default(true),
});
/** A tenant's override: any of the fields, the rest from `policies.toolCalls`. */
export const toolCallsOverrideSchema = z.strictObject({
  mode: TOOL_CALL_FIELDS.mode.optional(),
  onInvalid: TOOL_CALL_FIELDS.onInvalid.optional(),
  maxRepairs: TOOL_CALL_FIELDS.maxRepairs.optional(),
  maxArgumentBytes: TOOL_CALL_FIELDS.maxArgumentBytes.optional(),
  maxCalls: TOOL_CALL_FIELDS.maxCalls.optional(),
  responseFormat: TOOL_CALL_FIELDS.responseFormat.optional(),
});
/** Tool names or globs (`*`, `?`). */
const toolGlobs = z.array(z.string().min(1).max(256)).max(1000);
const toolTiersSchema = z.strictObject({
  /** Tools the model may call (and a request may offer); absent: every tool not denied. */
  allow: toolGlobs.optional(),
  /** Tools whose calls wait for a person's decision; permitted like `allow`. */
  approve: toolGlobs.optional(),
  /** Tools never offered nor called: a request offering one is refused 403 (or stripped). */
  deny: toolGlobs.optional(),
  /** Remove offered denied (or not allowed) tools from the request instead of refusing it. */
  strip: z.boolean().optional(),
});

/** A tenant's use of the response cache; absent: its own scope, deterministic requests only. */
const tenantCacheSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Tenants naming the same scope share entries (e.g. several eval tenants); default: the tenant alone. */
  scope: name('a cache scope').optional(),
  /** Cache only requests with temperature 0 or a seed; false caches every request. */
  deterministicOnly: z.boolean().default(true),
});

/** Per-tenant policy overrides: each key replaces parts of the global `policies` entry of the same name. */
const tenantPoliciesSchema = z.strictObject({
  injection: injectionOverrideSchema.optional(),
  toolCalls: toolCallsOverrideSchema.optional(),
});

export const tenantSchema = z.strictObject({
  keys: z.array(keyHash).min(1, 'a tenant needs at least one key'),
  /** Model aliases this tenant may use; "*" allows every configured model. */
  models: z.preprocess((v) => (v === '*' ? ['*'] : v), z.array(z.string().min(1)).min(1, 'list the models this tenant may use, or "*"')),
  /** Agent-run guards; a tenant without them has none. */
  runs: runsSchema.optional(),
  cache: tenantCacheSchema.optional(),
  /** Limits enforced by reservation before each call (all must fit); absent: none. */
  budgets: z
    .array(budgetSchema)
    .optional()
    .superRefine((budgets, ctx) => {
      const seen = new Set<string>();
      budgets?.forEach((b, i) => {
        const measure = BUDGET_MEASURES.find((m) => b[m] !== undefined);
        const id = `${b.window}/${measure}/${b.model ?? '*'}`;
        if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [i], message: `a second ${b.window} ${measure} limit${b.model ? ` for ${b.model}` : ''}; keep one` });
        seen.add(id);
      });
    }),
  /** Tool tiers: allow, approve, deny (names or globs). */
  tools: toolTiersSchema.optional(),
  policies: tenantPoliciesSchema.optional(),
});

export type RunsConfig = z.output<typeof runsSchema>;
export type BudgetConfig = z.output<typeof budgetSchema>;
export type TenantCacheConfig = z.output<typeof tenantCacheSchema>;
export type ToolCallsConfig = z.output<typeof toolCallsSchema>;
export type ToolCallsOverride = z.output<typeof toolCallsOverrideSchema>;
export type ToolTiersConfig = z.output<typeof toolTiersSchema>;
export type TenantConfig = z.output<typeof tenantSchema>;
