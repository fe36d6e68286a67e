// What of a message is scanned: all of it up to SCAN_FULL characters; past that, the head,
// the tail and a few evenly spaced samples of the middle. Attacks sit at the start or end of
// a message far more often than in its middle, and a fixed window keeps the cost of a 4 MB
// message the same as that of a 24 KB one.

export const SCAN_FULL = 24 * 1024;
const HEAD = 8 * 1024;
const TAIL = 8 * 1024;
const SAMPLES = 8;
const SAMPLE = 1024;

/** The text to scan, at most SCAN_FULL (+ separators) characters, cut only between code units of whole pairs. */
export function scanWindow(text: string): string {
  if (text.length <= SCAN_FULL) return text;
  const parts = [slice(text, 0, HEAD)];
  const middle = text.length - HEAD - TAIL;
  for (let i = 0; i < SAMPLES; i++) {
    const start = HEAD + Math.floor(((i + 0.5) * middle) / SAMPLES) - SAMPLE / 2;
    parts.push(slice(text, start, start + SAMPLE));
  }
  parts.push(slice(text, text.length - TAIL, text.length));
  return parts.join('\n');
}

/** A slice that never starts or ends in the middle of a surrogate pair. */
function slice(text: string, start: number, end: number): string {
  let s = start;
  let e = end;
  if (s > 0 && isLowSurrogate(text.charCodeAt(s))) s++;
  if (e < text.length && isLowSurrogate(text.charCodeAt(e))) e--;
  return text.slice(s, e);
}

const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
