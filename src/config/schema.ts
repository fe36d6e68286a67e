import { z } from 'zod';
import { byteSize, duration } from './units.ts';

// The whole configuration, strict: an unknown key is an error that names its path, so a
// typo never silently turns a guard off. Defaults live here and nowhere else.

const name = (what: string) =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, `${what} may use letters, digits and . _ : / @ -`);

const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'expected an HTTP header name');

const serverSchema = z.strictObject({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(8787),
  /** How long SIGTERM waits for in-flight requests and streams before closing them. */
  drainTimeout: duration().default(30_000),
  /** Longer than common load-balancer idle timeouts (60 s), so the gateway never closes first. */
  keepAliveTimeout: duration().default(65_000),
});

const loggingSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** One JSON line per request. */
  requests: z.boolean().default(true),
});

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
});

const mockProviderSchema = z.strictObject({
  kind: z.literal('mock'),
  /** Delay before answering, to make demos and tests realistic. */
  latency: duration().default(0),
  /** Delay between streamed chunks. */
  chunkDelay: duration().default(0),
});

const providerSchema = z.discriminatedUnion('kind', [openaiProviderSchema, mockProviderSchema]);

const targetSchema = z.strictObject({ provider: name('a provider name'), model: z.string().min(1) });

const modelSchema = z.strictObject({
  targets: z.array(targetSchema).min(1, 'a model needs at least one target'),
});

const keyHash = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:<64 hex digits>" (print one with `tollgate hash-key KEY`)');

const tenantSchema = z.strictObject({
  keys: z.array(keyHash).min(1, 'a tenant needs at least one key'),
  /** Model aliases this tenant may use; "*" allows every configured model. */
  models: z.array(z.string().min(1)).min(1, 'list the models this tenant may use, or "*"'),
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

const policiesSchema = z.strictObject({
  limits: limitsSchema.default(limitsSchema.parse({})),
});

// Cross-references (targets → providers, tenants → models) are checked in references.ts,
// which also runs when this schema fails, so one pass reports every problem.
export const configSchema = z.strictObject({
  server: serverSchema.default(serverSchema.parse({})),
  logging: loggingSchema.default(loggingSchema.parse({})),
  policies: policiesSchema.default(policiesSchema.parse({})),
  providers: z.record(name('a provider name'), providerSchema),
  models: z.record(name('a model alias'), modelSchema),
  tenants: z.record(name('a tenant name'), tenantSchema),
});

export type Config = z.output<typeof configSchema>;
export type OpenAIProviderConfig = z.output<typeof openaiProviderSchema>;
export type MockProviderConfig = z.output<typeof mockProviderSchema>;
