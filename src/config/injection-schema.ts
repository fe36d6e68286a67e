import { z } from 'zod';
import { duration } from './units.ts';

// `policies.injection` and its per-tenant override (`tenants.NAME.policies.injection`).
// Thresholds default to the ones chosen when the model was trained (weights.json), so they
// are optional here.

const probability = z.number().min(0, 'expected a number from 0 to 1').max(1, 'expected a number from 0 to 1');
const mode = z.enum(['enforce', 'shadow']);
const channel = z.enum(['user', 'tool']);
const channels = z.array(channel).refine((list) => new Set(list).size === list.length, 'a channel is listed twice');
const userAction = z.enum(['block', 'flag']);
const toolAction = z.enum(['block', 'flag', 'spotlight']);

/** An HTTP or OpenAI-compatible classifier asked only about messages whose local score is in the grey zone. */
const externalSchema = z
  .strictObject({
    /** `http`: POST {text, channel}, answers {score} / {label, score} / [{label, score}]; `openai`: a chat completions endpoint. */
    kind: z.enum(['http', 'openai']).default('http'),
    /** The classifier's URL (`openai`: the base URL including /v1). */
    url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
    /** `openai`: the model to ask. */
    model: z.string().min(1).optional(),
    /** Sent as `Authorization: Bearer KEY`; normally `${ENV_VAR}`. */
    apiKey: z.string().min(1).optional(),
    timeout: duration().pipe(z.number().min(1, 'must be longer than 0')).default(1_000),
    /** Local scores in [low, high) are sent to the classifier; below: pass, from high up: the local verdict. */
    greyZone: z.strictObject({ low: probability.default(0.3), high: probability.default(0.9) }).default({ low: 0.3, high: 0.9 }),
    /** The classifier failed or timed out: `failOpen` keeps the local verdict, `failClosed` treats the message as an injection. */
    onError: z.enum(['failOpen', 'failClosed']).default('failOpen'),
    /** Messages of one request sent to it at most (the highest local scores first). */
    maxCallsPerRequest: z.number().int().min(1).max(64).default(4),
  })
  .check((ctx) => {
    const v = ctx.value;
    if (v.greyZone.low >= v.greyZone.high) ctx.issues.push({ code: 'custom', input: v, path: ['greyZone'], message: 'low must be under high' });
    if (v.kind === 'openai' && v.model === undefined) ctx.issues.push({ code: 'custom', input: v, path: ['model'], message: 'an openai classifier needs a model' });
  });

const actionSchema = z.strictObject({ user: userAction.default('block'), tool: toolAction.default('spotlight') });
const thresholdSchema = z.strictObject({ user: probability.optional(), tool: probability.optional() });

export const injectionSchema = z.strictObject({
  mode: mode.default('enforce'),
  /** Which messages are scored: `user` (role user), `tool` (role tool/function: indirect injection). */
  channels: channels.default(['user', 'tool']),
  action: actionSchema.default({ user: 'block', tool: 'spotlight' }),
  /** Score (0..1) from which a message counts as an injection, per channel; default: the trained model's. */
  threshold: thresholdSchema.default({}),
  external: externalSchema.optional(),
});

/** A tenant's override: any of the policy's keys, replacing the global value (absent global: defaults). */
export const injectionOverrideSchema = z.strictObject({
  mode: mode.optional(),
  channels: channels.optional(),
  action: z.strictObject({ user: userAction.optional(), tool: toolAction.optional() }).optional(),
  threshold: thresholdSchema.optional(),
});

export type InjectionConfig = z.output<typeof injectionSchema>;
export type InjectionOverride = z.output<typeof injectionOverrideSchema>;
export type ExternalClassifierConfig = z.output<typeof externalSchema>;
