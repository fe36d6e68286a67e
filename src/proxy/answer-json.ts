import type { JsonResult } from './context.ts';

// Stages that look inside a JSON answer (run guards for tool calls, shadow traffic for the
// comparison) share one parse of the provider's bytes, and only answers of a bounded size
// are parsed at all: the relay itself never decodes them.

const MAX_PARSED_BYTES = 8 * 1024 * 1024;
const parsed = new WeakMap<Uint8Array, unknown>();

/**
 * The answer as a JSON value, or undefined when it has none, is too large to look into, or
 * (with `mustContain`) its bytes do not contain that text, which spares the parse.
 */
export function answerJson(result: JsonResult, mustContain?: string): unknown {
  if (result.body !== undefined) return result.body;
  return result.bytes === undefined ? undefined : jsonOfBytes(result.bytes, mustContain);
}

/** A provider answer's bytes as a JSON value (see answerJson). */
export function jsonOfBytes(bytes: Uint8Array, mustContain?: string): unknown {
  if (bytes.byteLength > MAX_PARSED_BYTES) return undefined;
  if (parsed.has(bytes)) return parsed.get(bytes);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (mustContain !== undefined && !buffer.includes(mustContain)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(buffer.toString('utf8'));
  } catch {
    value = undefined;
  }
  parsed.set(bytes, value);
  return value;
}
