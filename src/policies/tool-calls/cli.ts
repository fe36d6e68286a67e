import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { SchemaCache } from './schema-cache.ts';
import { isRecord, OfferedTools, type CallToCheck } from './validate.ts';

// `tollgate validate-tool-calls`: reads JSONL `{"tools","tool_calls"}` on stdin (tool calls
// as `{"name","arguments"}` or OpenAI's `{"function":{"name","arguments"}}`) and writes
// `{"valid","errors"}` per line. A line that is not such an object is answered invalid.

export async function validateToolCallsCommand(input: Readable, out: (text: string) => void): Promise<number> {
  const cache = new SchemaCache();
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    out(`${JSON.stringify(validateLine(line, cache))}\n`);
  }
  return 0;
}

export function validateLine(line: string, cache: SchemaCache): { valid: boolean; errors: readonly string[] } {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch {
    return { valid: false, errors: ['the line is not JSON'] };
  }
  if (!isRecord(row) || !Array.isArray(row.tool_calls)) return { valid: false, errors: ['expected {"tools":[...],"tool_calls":[...]}'] };
  return new OfferedTools(row.tools, cache).checkAll(row.tool_calls.map(callOf));
}

function callOf(raw: unknown): CallToCheck {
  const fn = isRecord(raw) && isRecord(raw.function) ? raw.function : raw;
  if (!isRecord(fn)) return { name: '', arguments: '' };
  return { name: typeof fn.name === 'string' ? fn.name : '', arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? null) };
}
