import { z } from 'zod';
import { concurrencyFields } from './provider-schema.ts';
import { name } from './schema-parts.ts';
import { duration } from './units.ts';

// `models.ALIAS`: targets in fallback order (with retries, breakers, weights, context windows
// and shadow traffic), or a router over two other aliases.

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
export const modelSchema = z
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

export type TargetConfig = z.output<typeof targetSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type BreakerConfig = z.output<typeof breakerSchema>;
export type ShadowConfig = z.output<typeof shadowSchema>;
export type RouterConfig = z.output<typeof routerSchema>;
