import { z } from 'zod';
import { injectionSchema } from './injection-schema.ts';
import { modelSchema } from './model-schema.ts';
import { providerSchema } from './provider-schema.ts';
import { headerName, name, positiveDuration } from './schema-parts.ts';
import { tenantSchema, toolCallsSchema } from './tenant-schema.ts';
import { byteSize, duration } from './units.ts';

// The whole configuration, strict: an unknown key is an error that names its path, so a
// typo never silently turns a guard off. Defaults live here and in the section schemas this
// file assembles (provider-, model-, tenant- and injection-schema.ts), nowhere else.

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
export type StateConfig = z.output<typeof stateSchema>;
export type CacheConfig = z.output<typeof cacheSchema>;
export type IdempotencyConfig = z.output<typeof idempotencySchema>;
export type CorsConfig = z.output<typeof corsSchema>;
export type ApprovalsConfig = z.output<typeof approvalsSchema>;
export type TelemetryConfig = z.output<typeof telemetrySchema>;
export type { AnthropicProviderConfig, MockProviderConfig, OpenAIProviderConfig } from './provider-schema.ts';
export type { BreakerConfig, ModelConfig, RouterConfig, ShadowConfig, TargetConfig } from './model-schema.ts';
export type { BudgetConfig, RunsConfig, TenantCacheConfig, TenantConfig, ToolCallsConfig, ToolCallsOverride, ToolTiersConfig } from './tenant-schema.ts';
export { BUDGET_MEASURES, toolCallsOverrideSchema, type BudgetMeasure } from './tenant-schema.ts';

