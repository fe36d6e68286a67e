import type { Usage } from '../../metering/usage.ts';

// Anthropic counts prompt tokens in three parts: fresh input, tokens read from the prompt
// cache and tokens written to it. OpenAI's prompt_tokens is their sum, with the cache reads
// as `prompt_tokens_details.cached_tokens` (priced lower), which is what `Usage` keeps.

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
}

/** Anthropic's usage object (missing or malformed numbers count as 0) as OpenAI's. */
export function openAIUsageOf(raw: unknown): OpenAIUsage {
  const u = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const cacheRead = count(u.cache_read_input_tokens);
  const prompt = count(u.input_tokens) + cacheRead + count(u.cache_creation_input_tokens);
  const completion = count(u.output_tokens);
  const usage: OpenAIUsage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (cacheRead > 0) usage.prompt_tokens_details = { cached_tokens: cacheRead };
  return usage;
}

export function usageOf(openai: OpenAIUsage): Usage {
  const usage: Usage = { promptTokens: openai.prompt_tokens, completionTokens: openai.completion_tokens, totalTokens: openai.total_tokens, source: 'upstream' };
  const cached = openai.prompt_tokens_details?.cached_tokens ?? 0;
  return cached > 0 ? { ...usage, cachedTokens: cached } : usage;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0;
}
