// One spelling for equal JSON values, so "the same call" is recognised however a model
// formats its tool-call arguments: object keys sorted, no whitespace between tokens, numbers
// in their shortest form (1.0, 1e0 and 1 are all 1; -0 is 0), strings escaped one way.
// Callers bound the input (tool-call arguments are canonicalised up to 8 KiB).

/** Nesting deeper than this is not canonicalised (the caller falls back to the raw text). */
export const MAX_CANONICAL_DEPTH = 64;

/** Writes the canonical form of a parsed JSON value; false (after partial output) when it is too deep. */
function writeCanonical(value: unknown, sink: (piece: string) => void, depth = 0): boolean {
  if (value === null || typeof value !== 'object') {
    sink(scalar(value));
    return true;
  }
  if (depth >= MAX_CANONICAL_DEPTH) return false;
  if (Array.isArray(value)) {
    sink('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) sink(',');
      if (!writeCanonical(value[i], sink, depth + 1)) return false;
    }
    sink(']');
    return true;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  sink('{');
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) sink(',');
    sink(JSON.stringify(keys[i]));
    sink(':');
    if (!writeCanonical(record[keys[i]!], sink, depth + 1)) return false;
  }
  sink('}');
  return true;
}

/** The canonical text of a parsed JSON value, or undefined when it nests too deeply. */
export function canonicalJson(value: unknown): string | undefined {
  const pieces: string[] = [];
  return writeCanonical(value, (piece) => pieces.push(piece)) ? pieces.join('') : undefined;
}

function scalar(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value === 0 ? 0 : value) : 'null';
  // Strings, booleans and null; anything else cannot come out of JSON.parse.
  return JSON.stringify(value) ?? 'null';
}
