import { z } from 'zod';
import { headerName } from './schema-parts.ts';
import { byteSize, duration } from './units.ts';

// `providers.NAME`: one upstream API each, by kind.

/** Backpressure: at most `maxConcurrent` calls in flight; a few more wait briefly, the rest are shed (503). */
export const concurrencyFields = {
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

export const openaiProviderSchema = z.strictObject({
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

export const anthropicProviderSchema = z.strictObject({
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

export const mockProviderSchema = z.strictObject({
  kind: z.literal('mock'),
  /** Delay before answering, to make demos and tests realistic. */
  latency: duration().default(0),
  /** Delay between streamed chunks. */
  chunkDelay: duration().default(0),
  ...concurrencyFields,
});

export const providerSchema = z.discriminatedUnion('kind', [openaiProviderSchema, anthropicProviderSchema, mockProviderSchema]);

export type OpenAIProviderConfig = z.output<typeof openaiProviderSchema>;
export type AnthropicProviderConfig = z.output<typeof anthropicProviderSchema>;
export type MockProviderConfig = z.output<typeof mockProviderSchema>;
