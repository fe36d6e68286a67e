// Tables keyed by model family (prices, context windows) find a provider's model name the
// same way: the name itself, or the longest key it starts with followed by "-", so dated
// snapshots (`gpt-4o-2024-08-06`) find their family and `gpt-4o-mini` never takes `gpt-4o`'s
// entry. `dotted` keys also cover point releases (`gpt-5` → `gpt-5.1`).

export function longestFamily(keys: Iterable<string>, model: string, dotted: ReadonlySet<string> = NONE): string | undefined {
  const m = model.toLowerCase();
  let best: string | undefined;
  for (const key of keys) {
    if (!m.startsWith(key)) continue;
    const next = m.charAt(key.length);
    const fits = next === '' || next === '-' || (next === '.' && dotted.has(key));
    if (fits && (best === undefined || key.length > best.length)) best = key;
  }
  return best;
}

const NONE: ReadonlySet<string> = new Set();
