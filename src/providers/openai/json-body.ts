import { usageFromOpenAI, type Usage } from '../../metering/usage.ts';
import { GatewayError } from '../../proxy/errors.ts';
import { findUsage } from '../usage-scan.ts';

// Checks a provider's non-streaming body without building it as objects. The gateway relays
// the bytes as they are; it needs only `usage` for metering and must notice a body that is
// not a JSON object or that reports an error. Small bodies (nearly all chat answers) are
// parsed whole, which validates them fully at little cost. Large ones (big embeddings
// batches, long answers) are checked at their edges: they must start with `{` and end with
// `}`, must not open or close with a top-level "error" key, and `usage` is parsed alone from
// the tail (where OpenAI-compatible servers write it) or, failing that, the head.

/** Bodies up to this size are parsed whole (about 1–2 ms of CPU). */
export const FULL_PARSE_BYTES = 256 * 1024;
/** How much of each end of a large body is decoded and searched. */
const EDGE_BYTES = 64 * 1024;

/**
 * A JSON text whose first key is a non-empty "error" (a null or false error is no error; the
 * lookahead takes the spaces itself, so backtracking cannot step around it).
 */
export const OPENS_WITH_ERROR = /^\s*\{\s*"error"\s*:(?!\s*(?:null\b|false\b|""|0\b))/;
// A key is preceded by `{` or `,`; inside a string its quotes would be escaped.
const ERROR_KEY = /[{,]\s*"error"\s*:(?!\s*(?:null\b|false\b|""|0\b))/;

export interface JsonBodyFacts {
  readonly usage: Usage | undefined;
  /** Set when the body reports an error: the text to read the provider's message from. */
  readonly errorText: string | undefined;
}

export function inspectJsonBody(bytes: Buffer, provider: string): JsonBodyFacts {
  return bytes.length <= FULL_PARSE_BYTES ? parseWhole(bytes, provider) : inspectEdges(bytes, provider);
}

function parseWhole(bytes: Buffer, provider: string): JsonBodyFacts {
  const text = bytes.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new GatewayError('upstream_error', `Provider "${provider}" sent a response that is not valid JSON.`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw notAnObject(provider);
  const record = parsed as Record<string, unknown>;
  if ('error' in record && record.error) return { usage: undefined, errorText: text };
  return { usage: usageFromOpenAI(record.usage), errorText: undefined };
}

function inspectEdges(bytes: Buffer, provider: string): JsonBodyFacts {
  const first = firstNonSpace(bytes);
  const last = lastNonSpace(bytes);
  if (bytes[first] !== 0x7b /* { */ || bytes[last] !== 0x7d /* } */) throw notAnObject(provider);
  // A multi-byte character cut at a window's edge decodes as U+FFFD; nothing searched for is one.
  const head = bytes.toString('utf8', first, first + EDGE_BYTES);
  const tail = bytes.toString('utf8', Math.max(first, last + 1 - EDGE_BYTES), last + 1);
  if (OPENS_WITH_ERROR.test(head)) return { usage: undefined, errorText: head };
  if (ERROR_KEY.test(tail.slice(-2048))) return { usage: undefined, errorText: '' };
  return { usage: findUsage(tail) ?? findUsage(head), errorText: undefined };
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function firstNonSpace(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length && isSpace(bytes[i])) i++;
  return i;
}

function lastNonSpace(bytes: Buffer): number {
  let i = bytes.length - 1;
  while (i > 0 && isSpace(bytes[i])) i--;
  return i;
}

function notAnObject(provider: string): GatewayError {
  return new GatewayError('upstream_error', `Provider "${provider}" sent a response that is not a JSON object.`);
}
