import { usageFromOpenAI, type Usage } from '../metering/usage.ts';

// Finds an OpenAI `usage` object in a large JSON text without parsing the text: only the
// object itself is parsed. Used where parsing the whole (a big body, a giant stream event)
// would cost far more than the few hundred bytes metering needs.

/** A usage object is a few hundred bytes; one this long is not what we are looking for. */
const MAX_USAGE_CHARS = 16 * 1024;
const USAGE_KEY = /"usage"\s*:\s*\{/g;

/** Parses the last `"usage": {...}` object in `text`, if there is one. */
export function findUsage(text: string): Usage | undefined {
  let start = -1;
  USAGE_KEY.lastIndex = 0;
  for (let m = USAGE_KEY.exec(text); m !== null; m = USAGE_KEY.exec(text)) {
    if (text.charCodeAt(m.index - 1) !== 92 /* \ */) start = m.index + m[0].length - 1;
  }
  if (start === -1) return undefined;
  const end = matchingBrace(text, start);
  if (end === -1) return undefined;
  try {
    return usageFromOpenAI(JSON.parse(text.slice(start, end + 1)));
  } catch {
    return undefined;
  }
}

/** Index of the `}` closing the object opened at `open`, skipping strings; -1 if not near. */
function matchingBrace(text: string, open: number): number {
  const limit = Math.min(text.length, open + MAX_USAGE_CHARS);
  let depth = 0;
  let inString = false;
  for (let i = open; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */) depth++;
    else if (c === 125 /* } */ && --depth === 0) return i;
  }
  return -1;
}
