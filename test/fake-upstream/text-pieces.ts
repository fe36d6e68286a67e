// Small deterministic helpers shared by the response builders.

/**
 * Splits text into at most `count` pieces of near-equal length. Splits on code points so an emoji
 * is never cut into lone surrogates (which non-JS clients would reject).
 */
export function splitIntoPieces(text: string, count: number): string[] {
  if (text === '') return [];
  const codePoints = Array.from(text);
  const pieces = Math.max(1, Math.min(Math.floor(count), codePoints.length));
  const size = Math.ceil(codePoints.length / pieces);
  const out: string[] = [];
  for (let i = 0; i < codePoints.length; i += size) out.push(codePoints.slice(i, i + size).join(''));
  return out;
}

/** A cheap, stable token estimate (~4 characters per token, as OpenAI's rule of thumb). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
