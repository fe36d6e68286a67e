import type { ResolvedTarget } from '../router/model-table.ts';
import { GatewayError } from '../proxy/errors.ts';
import type { Amounts } from './limits.ts';
import { usdToUnits } from './limits.ts';
import type { PriceBook } from './pricing.ts';
import { countEmbeddingTokens, countPromptTokens, familyOf } from './token-count.ts';
import type { Usage } from './usage.ts';

// What a request may cost at most, before it is sent (the reservation), and what it did cost
// (the settlement). The worst case is the counted prompt plus the output cap, priced at the
// dearest target the request may be routed to.

export interface WorstCase {
  readonly amounts: Amounts;
  /** Prompt tokens counted (the largest over the targets' tokenizers). */
  readonly inputTokens: number;
  /** Output tokens reserved per request (all choices). */
  readonly outputTokens: number;
  /** Set to cap the output upstream: the client gave no limit and one is needed. */
  readonly capOutput: number | undefined;
}

export interface WorstCaseInput {
  readonly endpoint: 'chat' | 'embeddings' | 'completions' | 'moderations';
  readonly body: Readonly<Record<string, unknown>>;
  readonly targets: readonly ResolvedTarget[];
  /** Output tokens when the client sets none. */
  readonly defaultMaxTokens: number;
  /** The tenant's limits count output (tokens, output_tokens or usd), so output must be bounded. */
  readonly outputBounded: boolean;
}

export function worstCase(input: WorstCaseInput, prices: PriceBook): WorstCase {
  const { endpoint, body, targets } = input;
  const inputTokens = countInput(endpoint, body, targets);
  let outputTokens = 0;
  let capOutput: number | undefined;
  if (endpoint === 'chat' || endpoint === 'completions') {
    const asked = clientMaxTokens(body);
    const perChoice = asked ?? input.defaultMaxTokens;
    if (asked === undefined && input.outputBounded) capOutput = perChoice;
    const n = typeof body.n === 'number' && Number.isInteger(body.n) && body.n > 1 ? body.n : 1;
    outputTokens = safe(perChoice * n);
  }
  let usd = 0;
  for (const target of targets) {
    const cost = prices.cost(target.model, { promptTokens: inputTokens, completionTokens: outputTokens });
    usd = Math.max(usd, usdToUnits(cost.usd));
  }
  return {
    amounts: { requests: 1, tokens: safe(inputTokens + outputTokens), input_tokens: inputTokens, output_tokens: outputTokens, usd },
    inputTokens,
    outputTokens,
    capOutput,
  };
}

/** What a finished call used, in store units. */
export function actualAmounts(usage: Usage | undefined, usdUnits: number): Amounts {
  const input = safe(usage?.promptTokens ?? 0);
  const output = safe(usage?.completionTokens ?? 0);
  return { requests: 1, tokens: safe(input + output), input_tokens: input, output_tokens: output, usd: safe(usdUnits) };
}

/**
 * The client's own output limit: the larger of `max_completion_tokens` and `max_tokens` (a
 * provider honours one of them). Anything but a non-negative integer is refused: the
 * gateway must be able to rely on the figure it reserves against.
 */
export function clientMaxTokens(body: Readonly<Record<string, unknown>>): number | undefined {
  let max: number | undefined;
  for (const param of ['max_completion_tokens', 'max_tokens'] as const) {
    const value = body[param];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new GatewayError('invalid_request', `Invalid value for '${param}': expected a non-negative integer.`, { param });
    }
    max = Math.max(max ?? 0, value);
  }
  return max === undefined ? undefined : safe(max);
}

function countInput(endpoint: WorstCaseInput['endpoint'], body: Readonly<Record<string, unknown>>, targets: readonly ResolvedTarget[]): number {
  // Count once per tokenizer family and keep the largest: the request may go to any target.
  const seen = new Set<unknown>();
  let tokens = 0;
  for (const target of targets) {
    const family = familyOf(target.model);
    if (seen.has(family)) continue;
    seen.add(family);
    // Legacy completions take `prompt` in the shapes embeddings take `input` (text or token ids).
    const counted = endpoint === 'chat' ? countPromptTokens(body, target.model) : countEmbeddingTokens(endpoint === 'completions' ? body.prompt : body.input, target.model);
    tokens = Math.max(tokens, counted);
  }
  return safe(tokens);
}

/** Clamps to a non-negative safe integer: nothing else may reach a store. */
export function safe(n: number): number {
  if (!Number.isFinite(n) || n <= 0) return Number.isNaN(n) || n <= 0 ? 0 : Number.MAX_SAFE_INTEGER;
  return Math.min(Math.ceil(n), Number.MAX_SAFE_INTEGER);
}
