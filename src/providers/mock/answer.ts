import { createHash } from 'node:crypto';

// What the mock provider says: deterministic, so demos and tests can rely on it.
// It echoes the last message, and calls tools when asked to: when `tool_choice` forces a
// tool, or when the user's message names one of the offered tools.

export interface MockToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

export interface MockAnswer {
  readonly content: string | null;
  readonly toolCalls: readonly MockToolCall[];
  readonly finishReason: 'stop' | 'tool_calls';
}

type Json = Record<string, unknown>;
const NAME_SEARCH_CHARS = 4000;
const MAX_SCHEMA_DEPTH = 32;
const isRecord = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export function mockAnswer(body: Json): MockAnswer {
  const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : [];
  const last = messages.at(-1);
  const tools = offeredTools(body.tools);
  const chosen = chooseTools(tools, body.tool_choice, body.parallel_tool_calls !== false, last);
  if (chosen.length > 0) {
    const toolCalls = chosen.map((tool, i) => ({
      id: `call_${digest(`${tool.name}:${i}:${messages.length}`).slice(0, 24)}`,
      name: tool.name,
      arguments: JSON.stringify(exampleFor(tool.parameters)),
    }));
    return { content: null, toolCalls, finishReason: 'tool_calls' };
  }
  const text = last === undefined ? '' : textOf(last.content);
  const prefix = last?.role === 'tool' ? 'Tool result received: ' : 'Echo: ';
  return { content: `${prefix}${text.slice(0, 4000)}`, toolCalls: [], finishReason: 'stop' };
}

/** Every character of message text the request carries, for deterministic usage numbers. */
export function promptChars(body: Json): number {
  const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : [];
  return messages.reduce((sum, m) => sum + textOf(m.content).length, 0);
}

export function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

interface OfferedTool {
  name: string;
  parameters: unknown;
}

function offeredTools(raw: unknown): OfferedTool[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((tool) => {
    const fn = isRecord(tool) && isRecord(tool.function) ? tool.function : undefined;
    return fn && typeof fn.name === 'string' ? [{ name: fn.name, parameters: fn.parameters }] : [];
  });
}

function chooseTools(tools: OfferedTool[], choice: unknown, parallel: boolean, last: Json | undefined): OfferedTool[] {
  if (tools.length === 0 || choice === 'none') return [];
  if (isRecord(choice) && isRecord(choice.function)) {
    return tools.filter((t) => t.name === (choice.function as Json).name).slice(0, 1);
  }
  if (last?.role === 'user') {
    // Only the start of the message is searched for tool names: tools x text stays small.
    const text = textOf(last.content).slice(0, NAME_SEARCH_CHARS);
    const named = tools.filter((t) => text.includes(t.name));
    if (named.length > 0) return parallel ? named : named.slice(0, 1);
  }
  return choice === 'required' ? tools.slice(0, 1) : [];
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .filter((t) => t !== '')
    .join('\n');
}

/** A value that satisfies the common parts of a JSON Schema: required keys, types, enums. */
export function exampleFor(schema: unknown, depth = 0): unknown {
  // A schema nested deeper than any real one gets an empty object, not a stack overflow.
  if (!isRecord(schema) || depth > MAX_SCHEMA_DEPTH) return {};
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ('const' in schema) return schema.const;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return 'example';
    case 'number':
    case 'integer':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'null':
      return null;
    default: {
      const properties = isRecord(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : [];
      return Object.fromEntries(required.map((key) => [key, exampleFor(properties[key], depth + 1)]));
    }
  }
}
