import { longestFamily } from '../metering/model-names.ts';

// Context windows (prompt + output tokens a model accepts) of common models, so a target
// needs no `contextWindow` in config for the overflow check to judge it. Matched like
// prices: the longest name that the provider model equals, or starts with followed by "-"
// (`gpt-4o-2024-08-06` finds `gpt-4o`; `gpt-4o-mini` never takes `gpt-4o`'s entry). A
// model not found here has an unknown window and is never judged.

export const BUILT_IN_CONTEXT_WINDOWS: Readonly<Record<string, number>> = {
  'gpt-5': 400_000,
  'gpt-5-chat': 128_000,
  'gpt-4.1': 1_047_576,
  'gpt-4o': 128_000,
  'chatgpt-4o': 128_000,
  'gpt-4-turbo': 128_000,
  'gpt-4': 8_192,
  'gpt-4-32k': 32_768,
  'gpt-3.5-turbo': 16_385,
  'gpt-3.5-turbo-instruct': 4_096,
  o1: 200_000,
  'o1-mini': 128_000,
  o3: 200_000,
  'o4-mini': 200_000,
  'text-embedding-3': 8_192,
  'text-embedding-ada-002': 8_192,
  'claude-3': 200_000,
  'claude-opus-4': 200_000,
  'claude-sonnet-4': 200_000,
  'claude-haiku-4': 200_000,
};

// Point releases of a family versioned by dots (`gpt-5.1`, `gpt-5.2-pro`) share its window.
// Other dotted names are different families (`gpt-4.5` is not `gpt-4`) and need an entry.
const DOT_VERSIONED = new Set(['gpt-5']);

const windows = new Map(Object.entries(BUILT_IN_CONTEXT_WINDOWS).map(([name, tokens]) => [name.toLowerCase(), tokens]));

/** The built-in context window of a provider model, or undefined when it is not known. */
export function knownContextWindow(model: string): number | undefined {
  const best = longestFamily(windows.keys(), model, DOT_VERSIONED);
  return best === undefined ? undefined : windows.get(best);
}
