import { GatewayError } from './errors.ts';

// A linear pass over the raw bytes of a JSON body, before JSON.parse, that refuses bodies
// whose shape would be costly: too deeply nested (JSON.stringify recurses, and overflowed
// the stack at 10,000 levels) or with too many keys, objects and arrays (a 4 MB object of
// 350,000 keys blocked the event loop for over a second in parse, validation and
// serialisation). Strings are skipped with Buffer#indexOf, so text-heavy bodies cost next
// to nothing; only structure is looked at byte by byte. The pass does not validate JSON:
// JSON.parse does that afterwards. UTF-8 continuation bytes are all >= 0x80, so they can
// never be mistaken for the ASCII characters looked for here.

export interface JsonLimits {
  /** Deepest nesting of objects and arrays (the body itself is level 1). */
  readonly maxDepth: number;
  /** Object keys plus objects and arrays, over the whole body. Scalars in arrays are free. */
  readonly maxKeys: number;
  /** Keys in any one object: one wide object costs several times what the same keys spread out do. */
  readonly maxObjectKeys: number;
}

export interface JsonScan {
  /** A number literal too large for a double (e.g. 1e400): JSON.parse turns it into Infinity. */
  readonly hasNonFiniteNumber: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
/** No literal of 308 characters or fewer without an exponent can reach 1.8e308. */
const MAX_PLAIN_NUMBER_LENGTH = 308;

/** Throws a 400 when the body exceeds a limit; otherwise says whether a number overflows. */
export function scanJson(bytes: Buffer, limits: JsonLimits): JsonScan {
  const { maxDepth, maxKeys, maxObjectKeys } = limits;
  const end = bytes.length;
  let depth = 0;
  let keys = 0;
  // Keys seen so far in the object open at each depth (arrays leave their slot unused).
  const keysAt = new Int32Array(maxDepth + 2);
  let hasNonFiniteNumber = false;
  for (let i = 0; i < end; i++) {
    const byte = bytes[i]!;
    if (byte === QUOTE) {
      i = closingQuote(bytes, i);
      if (i < 0) break; // unterminated: JSON.parse reports it
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (++depth > maxDepth) throw tooDeep(maxDepth);
      if (++keys > maxKeys) throw tooManyKeys(maxKeys);
      keysAt[depth] = 0;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
    } else if (byte === COLON) {
      if (++keys > maxKeys) throw tooManyKeys(maxKeys);
      // A negative depth (more closing than opening brackets) is invalid JSON, left to JSON.parse.
      if (depth > 0 && ++keysAt[depth]! > maxObjectKeys) throw tooWide(maxObjectKeys);
    } else if (byte === MINUS || (byte >= ZERO && byte <= NINE)) {
      const start = i;
      let exponent = false;
      while (i + 1 < end && isNumberByte(bytes[i + 1]!)) {
        i++;
        if ((bytes[i]! | 0x20) === 0x65) exponent = true; // e or E
      }
      if ((exponent || i + 1 - start > MAX_PLAIN_NUMBER_LENGTH) && !Number.isFinite(Number(bytes.toString('latin1', start, i + 1)))) {
        hasNonFiniteNumber = true;
      }
    }
  }
  return { hasNonFiniteNumber };
}

/** Index of the quote that ends the string opening at `open`, or -1. Linear overall. */
function closingQuote(bytes: Buffer, open: number): number {
  let at = bytes.indexOf(QUOTE, open + 1);
  while (at >= 0) {
    let backslashes = 0;
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
    at = bytes.indexOf(QUOTE, at + 1);
  }
  return -1;
}

function isNumberByte(byte: number): boolean {
  return (byte >= ZERO && byte <= NINE) || byte === 0x2e || byte === 0x2b || byte === MINUS || (byte | 0x20) === 0x65;
}

function tooDeep(maxDepth: number): GatewayError {
  return new GatewayError('invalid_request', `The request body nests objects and arrays more than ${maxDepth} levels deep; this gateway accepts at most ${maxDepth}.`);
}

function tooManyKeys(maxKeys: number): GatewayError {
  return new GatewayError(
    'invalid_request',
    `The request body has more than ${maxKeys} keys, objects and arrays; this gateway accepts at most ${maxKeys}.`,
  );
}

function tooWide(maxObjectKeys: number): GatewayError {
  return new GatewayError('invalid_request', `An object in the request body has more than ${maxObjectKeys} keys; this gateway accepts at most ${maxObjectKeys}.`);
}

/** Where the first non-finite number in a parsed body is (depth is bounded by the scan). */
export function nonFinitePath(value: unknown, path: Array<string | number> = []): Array<string | number> | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nonFinitePath(value[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const found = nonFinitePath((value as Record<string, unknown>)[key], [...path, key]);
    if (found) return found;
  }
  return undefined;
}
