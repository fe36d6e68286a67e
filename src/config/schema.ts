import { z } from 'zod';
import { injectionOverrideSchema, injectionSchema } from './injection-schema.ts';
import { byteSize, duration } from './units.ts';

// The whole configuration, strict: an unknown key is an error that names its path, so a
// typo never silently turns a guard off. Defaults live here and nowhere else.

const name = (what: string) =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, `${what} may use letters, digits and . _ : / @ -`);

const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'expected an HTTP header name');

const positiveDuration = () => duration().pipe(z.number().min(1, 'must be longer than 0'));

/** Deadlines for clients: a slow or stalled client never holds memory or a socket for long. */
const serverTimeoutsSchema = z.strictObject({
  /** From a request's first byte to the end of its headers (and for a new connection's first request). */
  headers: positiveDuration().default(10_000),
  /** From the end of the headers to the end of the body. */
  body: positiveDuration().default(30_000),
  /** Longest a client may take nothing of a response that has bytes waiting for it. */
  send: positiveDuration().default(60_000),
});

const corsSchema = z.strictObject({
  /** Exact origins (`https://app.example.com`), or "*" for any. */
  origins: z.array(z.string().regex(/^(?:\*|https?:\/\/[^/\s]+)$/, 'expected an origin such as https://app.example.com, or "*"')).min(1),
  /** Request headers browsers may send, beyond those always allowed (authorization, content-type, x-request-id, the run-id header). */
  headers: z.array(headerName).default([]),
  /** How long browsers may cache a preflight answer. */
  maxAge: duration().default(600_000),
});

/** Responses kept for `previous_response_id` and GET /v1/responses/{id} (in `state`: memory or Redis). */
const storedResponsesSchema = z.strictObject({
  ttl: duration().pipe(z.number().min(1_000, 'expected at least 1s')).default(24 * 3_600_000),
  /** The memory store's bounds (the oldest go first); Redis entries are bounded by the TTL. */
  maxMemoryEntries: z.number().int().min(1).default(10_000),
  maxMemoryBytes: byteSize().pipe(z.number().min(1024, 'expected at least 1kb')).default(256 * 1024 * 1024),
});

const serverSchema = z.strictObject({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(8787),
  /** How long SIGTERM waits for in-flight requests and streams before closing them. */
  drainTimeout: duration().default(30_000),
  /** Longer than common load-balancer idle timeouts (60 s), so the gateway never closes first. */
  keepAliveTimeout: duration().default(65_000),
  timeouts: serverTimeoutsSchema.default(serverTimeoutsSchema.parse({})),
  /** Open client connections; further ones are closed at once (and the open-file limit may lower it). */
  maxConnections: z.number().int().min(1).default(10_000),
  /** Bytes of request bodies being received, across all connections; past it new body bytes get 503. */
  maxBufferedBodyBytes: byteSize().pipe(z.number().min(1, 'must be at least 1 byte')).default(128 * 1024 * 1024),
  /** Keep the published demo key working on a non-loopback address (off: it is disabled there). */
  allowDemoKey: z.boolean().default(false),
  /** The request header agents send their run id in (see `tenants.*.runs`). */
  runIdHeader: headerName.transform((h) => h.toLowerCase()).default('x-tollgate-run-id'),
  /** Bearer key for /admin/*; unset (or an unset variable): admin endpoints answer 404. */
  adminKey: z.string().min(1).optional(),
  /** Browser clients: off unless origins are listed; an origin not listed gets no CORS headers. */
  cors: corsSchema.optional(),
  responses: storedResponsesSchema.default(storedResponsesSchema.parse({})),
});

const loggingSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** One JSON line per request. */
  requests: z.boolean().default(true),
  /** `auto`: readable lines on a terminal, JSON lines otherwise. */
  format: z.enum(['auto', 'json', 'pretty']).default('auto'),
});

/** Metrics, traces and the audit log (see src/telemetry/). */
const telemetrySchema = z.strictObject({
  /** GET /metrics on the main port, no auth. False: no registry, nothing on the request path. */
  metrics: z.boolean().default(true),
  /** OTLP/HTTP traces; absent: off unless the standard OTEL_EXPORTER_OTLP_* variables are set. */
  traces: z.strictObject({ endpoint: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://otel-collector:4318' }).optional() }).default({}),
  /** Where audit lines (tool calls proposed, policy decisions) go: `stdout` or a file path. */
  audit: z.strictObject({ path: z.string().min(1).default('stdout') }).default({ path: 'stdout' }),
  /** Prompts and answers in spans (and tool-call arguments in the audit log) only when true. */
  content: z.boolean().default(false),
});

/** Backpressure: at most `maxConcurrent` calls in flight; a few more wait briefly, the rest are shed (503). */
const concurrencyFields = {
  maxConcurrent: z.number().int().min(1).optional(),
  /** Requests allowed to wait for a free slot (default: as many as `maxConcurrent`). */
  maxQueued: z.number().int().min(0).optional(),
  /** How long a queued request waits before it is shed (default 2s). */
  queueTimeout: duration().optional(),
};

const timeoutsSchema = z.strictObject({
  connect: duration().default(10_000),
  /** Until response headers (and, for streams, the first event) arrive. */
  firstByte: duration().default(120_000),
  /** Longest silence between two body chunks. */
  idle: duration().default(120_000),
  /** Whole request, first byte to last. */
  total: duration().default(600_000),
});

const openaiProviderSchema = z.strictObject({
  kind: z.literal('openai'),
  baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://api.openai.com/v1' }),
  apiKey: z.string().min(1).optional(),
  /** `authorization` sends `Bearer KEY`; any other header (Azure: `api-key`) carries the bare key. */
  apiKeyHeader: headerName.default('authorization'),
  headers: z.record(headerName, z.string()).default({}),
  /** Query parameters added to every call, e.g. Azure's `api-version`. */
  query: z.record(z.string(), z.string()).default({}),
  timeouts: timeoutsSchema.default(timeoutsSchema.parse({})),
  maxConnections: z.number().int().min(1).max(65536).default(512),
  /**
   * Largest answer read from this provider: a non-streaming body, or one event of a stream.
   * Past it the call is cancelled with 502 upstream_response_too_large, so memory per request
   * stays bounded whatever the provider sends.
   */
  maxResponseBytes: byteSize().pipe(z.number().min(1024, 'expected at least 1kb')).default(64 * 1024 * 1024),
  /**
   * How `/v1/responses` reaches this provider: relayed in its own protocol (`native`), or
   * translated to chat completions (`translate`). Unset: native for OpenAI's and Azure's own
   * hosts, translate elsewhere (see `responsesMode` in the adapter).
   */
  responses: z.enum(['native', 'translate']).optional(),
  ...concurrencyFields,
});

const anthropicProviderSchema = z.strictObject({
  kind: z.literal('anthropic'),
  /** The API root: `/v1/messages` is appended. */
  baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://api.anthropic.com' }),
  apiKey: z.string().min(1).optional(),
  /** The `anthropic-version` header. */
  version: z.string().min(1).default('2023-06-01'),
  /** `anthropic-beta` features, sent comma-separated on every call. */
  betas: z.array(z.string().min(1)).default([]),
  /** max_tokens sent when a request sets none (the Messages API requires one). */
  maxTokens: z.number().int().min(1).default(4096),
  headers: z.record(headerName, z.string()).default({}),
  timeouts: timeoutsSchema.default(timeoutsSchema.parse({})),
  maxConnections: z.number().int().min(1).max(65536).default(512),
  maxResponseBytes: byteSize().pipe(z.number().min(1024, 'expected at least 1kb')).default(64 * 1024 * 1024),
  ...concurrencyFields,
});

const mockProviderSchema = z.strictObject({
  kind: z.literal('mock'),
  /** Delay before answering, to make demos and tests realistic. */
  latency: duration().default(0),
  /** Delay between streamed chunks. */
  chunkDelay: duration().default(0),
  ...concurrencyFields,
});

const providerSchema = z.discriminatedUnion('kind', [openaiProviderSchema, anthropicProviderSchema, mockProviderSchema]);

/** Per-target overrides of the provider's deadlines (`providers.NAME.timeouts`). */
const targetTimeoutsSchema = z.strictObject({
  firstByte: duration().optional(),
  idle: duration().optional(),
  total: duration().optional(),
});

const targetSchema = z.strictObject({
  provider: name('a provider name'),
  model: z.string().min(1),
  /** The model's context window in tokens, where the built-in table does not know it. */
  contextWindow: z.number().int().positive().optional(),
  /** Consecutive targets with a weight form one group, balanced by weight. */
  weight: z.number().positive().optional(),
  timeouts: targetTimeoutsSchema.optional(),
  ...concurrencyFields,
});

const breakerSchema = z.strictObject({
  /** Consecutive failures that open the breaker. */
  failures: z.number().int().min(1).default(5),
  /** How long an open breaker sends nothing before one probe request decides. */
  cooldown: duration().default(30_000),
  /** Also open when this share (0–1] of a window's requests failed; off unless set. */
  errorRate: z.number().gt(0).max(1).optional(),
  /** The error-rate window. */
  window: duration().default(60_000),
  /** Requests a window needs before its error rate counts. */
  minRequests: z.number().int().min(1).default(20),
});

/** A candidate model that receives a sample of an alias's requests in the background. */
const shadowSchema = z.strictObject({
  provider: name('a provider name'),
  model: z.string().min(1),
  /** Share of requests mirrored, 0..1. */
  sample: z.number().min(0).max(1),
});

/** A model alias that picks one of two other aliases per request by the prompt's difficulty. */
const routerSchema = z.strictObject({
  /** Alias for requests scoring under the threshold. */
  cheap: z.string().min(1),
  /** Alias for the rest. */
  strong: z.string().min(1),
  /** Difficulty score (0..1) from which a request goes to `strong`. */
  threshold: z.number().min(0, 'expected a number from 0 to 1').max(1, 'expected a number from 0 to 1').default(0.5),
});

// Either `targets` or `router`: one object with a check rather than a union, so a mistake
// inside either form is reported at its own path.
const modelSchema = z
  .strictObject({
    targets: z.array(targetSchema).min(1, 'a model needs at least one target').optional(),
    router: routerSchema.optional(),
    /** Retries of the same target on a retryable failure, before falling to the next one. */
    retries: z.number().int().min(0).max(10).default(2),
    /** Per target; `false` turns it off. */
    breaker: z.union([z.literal(false), breakerSchema]).default(breakerSchema.parse({})),
    /** The whole fallback loop (every attempt and wait); a stream's part ends at its first event. */
    deadline: duration().default(600_000),
    /** A prompt too long for a target's context window: skip to a larger one, trim the conversation, or refuse. */
    contextOverflow: z.enum(['fallback', 'trim', 'reject']).default('fallback'),
    shadow: shadowSchema.optional(),
  })
  .check((ctx) => {
    const { targets, router } = ctx.value;
    if ((targets === undefined) === (router === undefined)) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: targets === undefined ? 'a model needs "targets" or "router"' : 'a model has "targets" or "router", not both',
      });
    }
  });

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
const toolCallsSchema = z.strictObject({
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

const tenantSchema = z.strictObject({
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

const limitsSchema = z.strictObject({
  maxBodyBytes: byteSize().default(4 * 1024 * 1024),
  maxMessages: z.number().int().min(1).default(2000),
  /** Nesting of objects and arrays; capped because serialising a body recurses once per level. */
  maxDepth: z.number().int().min(2).max(1000).default(64),
  /** Object keys plus objects and arrays in a body: a 4 MB body of 350,000 keys blocked the event loop for over a second. */
  maxKeys: z.number().int().min(10).default(100_000),
  /** Keys in any one object: a wide object costs several times what the same keys spread out do. */
  maxObjectKeys: z.number().int().min(10).default(10_000),
});

const budgetPolicySchema = z.strictObject({
  /** Output cap reserved (and sent upstream) when a client gives no max_tokens and its tenant has a token or usd limit. */
  defaultMaxTokens: z.number().int().min(1).max(10_000_000).default(4096),
  /** A reservation not settled by then (the process died) is reclaimed; keep it above every provider's total timeout. */
  reservationTtl: duration()
    .pipe(z.number().min(1_000, 'a reservation must hold for at least 1s'))
    .default(15 * 60_000),
});

const policiesSchema = z.strictObject({
  limits: limitsSchema.default(limitsSchema.parse({})),
  budgets: budgetPolicySchema.default(budgetPolicySchema.parse({})),
  /** The prompt-injection filter; absent: off (unless a tenant's override turns it on). */
  injection: injectionSchema.optional(),
  toolCalls: toolCallsSchema.default(toolCallsSchema.parse({})),
});

const priceSchema = z.strictObject({
  /** USD per million tokens. */
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cachedInput: z.number().nonnegative().optional(),
});

/** Where shared state (budgets, limits, runs, breakers, cache) lives. */
const stateSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('memory') }),
  z.strictObject({
    kind: z.literal('redis'),
    url: z.url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' }),
    /** Redis unreachable: `deny` answers 503 (fail closed); `allow` serves from local state, loudly. */
    onUnavailable: z.enum(['deny', 'allow']).default('deny'),
    /** Prefix for every key, so several gateways can share one Redis. */
    keyPrefix: z.string().regex(/^[A-Za-z0-9:_.-]*$/).default('tollgate:'),
  }),
]);

/** Human approval of `tenants.*.tools.approve` calls: where they are announced and how long they wait. */
const approvalsSchema = z.strictObject({
  /** Each new pending approval is POSTed here as JSON; unset: none is posted (decide via /admin/approvals). */
  webhook: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  /** Signs webhook bodies: `x-tollgate-signature: sha256=HMAC(secret, timestamp + "." + body)`. */
  secret: z.string().min(1).optional(),
  /** A pending approval not decided by then is expired (answered to the model as refused). */
  expiry: positiveDuration().default(24 * 3_600_000),
  /** Per webhook attempt. */
  webhookTimeout: positiveDuration().default(5_000),
  /** Further attempts after a failed one (network error, timeout, 5xx, 429), backing off. */
  webhookRetries: z.number().int().min(0).max(10).default(3),
  /** Webhook posts waiting to be sent; past it the oldest waiting one is dropped (logged). */
  webhookQueue: z.number().int().min(1).max(100_000).default(1_000),
  /** Approvals kept in memory (memory state, or the Redis stand-in); past it the oldest are forgotten. */
  maxPending: z.number().int().min(10).max(1_000_000).default(10_000),
  /** Largest arguments (all calls of a turn) held for approval; a larger turn is refused outright. */
  maxArgumentBytes: byteSize().pipe(z.number().min(64, 'expected at least 64b')).default(64 * 1024),
  /** Put tool arguments in the audit log lines (off: only their hash). */
  logArguments: z.boolean().default(false),
});

/** The response cache; absent: off. `kind: redis` uses `state.url`. */
const cacheSchema = z.strictObject({
  kind: z.enum(['memory', 'redis']),
  ttl: positiveDuration().default(3_600_000),
  /** The memory store's bound (values, keys and overhead); least recently used entries go first. */
  maxBytes: byteSize().pipe(z.number().min(1024, 'must be at least 1kb')).default(256 * 1024 * 1024),
  /** Answers larger than this are relayed but not cached (streams stop being recorded past it). */
  maxEntryBytes: byteSize().pipe(z.number().min(1, 'must be at least 1 byte')).default(2 * 1024 * 1024),
});

/** `Idempotency-Key`: one answer per tenant and key within the window. */
const idempotencySchema = z.strictObject({
  enabled: z.boolean().default(true),
  window: positiveDuration().default(24 * 3_600_000),
  /** How long a duplicate waits for the first request still in flight before 409. */
  wait: positiveDuration().default(30_000),
  /** Bound of the in-memory records (with `state.kind: memory`). */
  maxBytes: byteSize().pipe(z.number().min(1024, 'must be at least 1kb')).default(64 * 1024 * 1024),
});

// Cross-references (targets → providers, tenants → models) are checked in references.ts,
// which also runs when this schema fails, so one pass reports every problem.
export const configSchema = z.strictObject({
  server: serverSchema.default(serverSchema.parse({})),
  logging: loggingSchema.default(loggingSchema.parse({})),
  telemetry: telemetrySchema.default(telemetrySchema.parse({})),
  policies: policiesSchema.default(policiesSchema.parse({})),
  state: stateSchema.default({ kind: 'memory' }),
  cache: cacheSchema.optional(),
  idempotency: idempotencySchema.default(idempotencySchema.parse({})),
  /** Prices by provider model name, overriding and adding to the built-in table. */
  pricing: z.record(z.string().min(1), priceSchema).default({}),
  providers: z.record(name('a provider name'), providerSchema),
  models: z.record(name('a model alias'), modelSchema),
  tenants: z.record(name('a tenant name'), tenantSchema),
  approvals: approvalsSchema.default(approvalsSchema.parse({})),
});

export type Config = z.output<typeof configSchema>;
export type OpenAIProviderConfig = z.output<typeof openaiProviderSchema>;
export type RunsConfig = z.output<typeof runsSchema>;
export type TargetConfig = z.output<typeof targetSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type BreakerConfig = z.output<typeof breakerSchema>;
export type BudgetConfig = z.output<typeof budgetSchema>;
export type StateConfig = z.output<typeof stateSchema>;
export type CacheConfig = z.output<typeof cacheSchema>;
export type TenantCacheConfig = z.output<typeof tenantCacheSchema>;
export type IdempotencyConfig = z.output<typeof idempotencySchema>;
export type AnthropicProviderConfig = z.output<typeof anthropicProviderSchema>;
export type MockProviderConfig = z.output<typeof mockProviderSchema>;
export type ShadowConfig = z.output<typeof shadowSchema>;
export type CorsConfig = z.output<typeof corsSchema>;
export type RouterConfig = z.output<typeof routerSchema>;
export type ApprovalsConfig = z.output<typeof approvalsSchema>;
export type ToolCallsConfig = z.output<typeof toolCallsSchema>;
export type ToolCallsOverride = z.output<typeof toolCallsOverrideSchema>;
export type ToolTiersConfig = z.output<typeof toolTiersSchema>;
export type TelemetryConfig = z.output<typeof telemetrySchema>;
export type TenantConfig = z.output<typeof tenantSchema>;
