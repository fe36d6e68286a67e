// Token usage as the gateway accounts for it. `source` says how much to trust it: the
// provider's own numbers, or an estimate when a stream was cut before its usage arrived.

export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
  /** Prompt tokens the provider served from its prompt cache (priced lower); part of promptTokens. */
  readonly cachedTokens?: number;
  readonly source: 'upstream' | 'estimated';
}

/**
 * Reads an OpenAI `usage` object leniently; missing or malformed numbers count as 0. Chat and
 * legacy completions name the counts `prompt_tokens`/`completion_tokens`; the Responses API
 * names them `input_tokens`/`output_tokens` (reasoning tokens are part of the output count).
 */
export function usageFromOpenAI(raw: unknown): Usage | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const u = raw as Record<string, unknown>;
  const prompt = count(u.prompt_tokens ?? u.input_tokens);
  const completion = count(u.completion_tokens ?? u.output_tokens);
  const total = count(u.total_tokens) || prompt + completion;
  const details = (u.prompt_tokens_details ?? u.input_tokens_details) as Record<string, unknown> | null | undefined;
  const cached = details !== null && typeof details === 'object' ? count(details.cached_tokens) : 0;
  const usage: Usage = { promptTokens: prompt, completionTokens: completion, totalTokens: total, source: 'upstream' };
  return cached > 0 ? { ...usage, cachedTokens: cached } : usage;
}

/**
 * Rough count for text the provider never reported on (about four characters a token for
 * English). Used only when upstream usage is missing, and marked `estimated`.
 */
export function estimateTokens(chars: number): number {
  return chars === 0 ? 0 : Math.ceil(chars / 4);
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0;
}
