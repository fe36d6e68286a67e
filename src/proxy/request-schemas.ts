import { z } from 'zod';

// What the gateway checks in a request before spending anything on it: the fields it
// relies on, and every numeric parameter a client could make absurd, within OpenAI's
// documented ranges. The schemas only validate; the parsed body itself is forwarded, so
// fields they do not name pass through untouched (new OpenAI parameters work on day one)
// and validation costs nothing for them (zod's default objects never visit unknown keys).

const contentPart = z.object({ type: z.string() });

const message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  tool_calls: z
    .array(z.object({ id: z.string().optional(), type: z.string().optional(), function: z.object({ name: z.string(), arguments: z.string() }) }))
    .optional(),
});

const tool = z.object({
  type: z.string(),
  function: z.object({ name: z.string().min(1) }).optional(),
});

/** A count of tokens to generate: a positive integer. */
const tokenCount = z.number().int().min(1).nullish();

export const chatRequestSchema = z.object({
  model: z.string().min(1).max(256),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(tool).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  max_tokens: tokenCount,
  max_completion_tokens: tokenCount,
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  seed: z.number().int().nullish(),
});

/** Legacy text completions: `prompt` is text or token ids, one or many. */
export const completionsRequestSchema = z.object({
  model: z.string().min(1).max(256),
  prompt: z.union([z.string(), z.array(z.string()), z.array(z.number().int().min(0)), z.array(z.array(z.number().int().min(0)))]),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().min(0).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  best_of: z.number().int().min(1).max(128).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  logprobs: z.number().int().min(0).max(5).nullish(),
});

/** Moderations: the gateway needs `model` to pick the alias whose target classifies the input. */
export const moderationsRequestSchema = z.object({
  model: z.string().min(1).max(256),
  input: z.union([z.string(), z.array(z.unknown()).min(1)]),
});

/** OpenAI: at most 2048 inputs per request, 8192 tokens per input, 300,000 tokens in all. */
export const EMBEDDING_LIMITS = { inputs: 2048, tokensPerInput: 8192, totalTokens: 300_000, dimensions: 3072 } as const;

export const embeddingsRequestSchema = z.object({
  model: z.string().min(1).max(256),
  input: z.unknown().superRefine(checkEmbeddingInput),
  // text-embedding-3-large, OpenAI's largest, has 3072 dimensions.
  dimensions: z.number().int().min(1).max(EMBEDDING_LIMITS.dimensions).nullish(),
  encoding_format: z.enum(['float', 'base64']).nullish(),
});

/**
 * `input` is a string, an array of strings, an array of token ids, or an array of such
 * arrays. Checked by hand so that each failure names its place and the limit it broke.
 */
function checkEmbeddingInput(input: unknown, ctx: z.RefinementCtx): void {
  const fail = (message: string, path: Array<string | number> = []) => ctx.addIssue({ code: 'custom', message, path });
  if (input === undefined) return fail('required');
  if (typeof input === 'string') return;
  if (!Array.isArray(input) || input.length === 0) return fail('expected a string, or a non-empty array of strings or token ids');
  if (input.every((item) => typeof item === 'number')) {
    checkTokens(input, [], fail);
    return;
  }
  if (input.length > EMBEDDING_LIMITS.inputs) return fail(`at most ${EMBEDDING_LIMITS.inputs} inputs per request, got ${input.length}`);
  let total = 0;
  for (let i = 0; i < input.length; i++) {
    const item: unknown = input[i];
    if (typeof item === 'string') continue;
    if (!Array.isArray(item) || item.length === 0) return fail('expected a string or a non-empty array of token ids', [i]);
    if (!checkTokens(item, [i], fail)) return;
    total += item.length;
    if (total > EMBEDDING_LIMITS.totalTokens) return fail(`at most ${EMBEDDING_LIMITS.totalTokens} tokens in all inputs together`);
  }
}

function checkTokens(tokens: unknown[], path: Array<string | number>, fail: (message: string, path: Array<string | number>) => void): boolean {
  if (tokens.length > EMBEDDING_LIMITS.tokensPerInput) {
    fail(`at most ${EMBEDDING_LIMITS.tokensPerInput} tokens per input, got ${tokens.length}`, path);
    return false;
  }
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (typeof token !== 'number' || !Number.isSafeInteger(token) || token < 0) {
      fail('expected a token id (a non-negative integer)', [...path, i]);
      return false;
    }
  }
  return true;
}
