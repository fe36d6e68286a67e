import { describeErrors, type CompiledSchema, type SchemaCache } from './schema-cache.ts';

// Checks the tool calls a model returned against the tools the request offered: the tool
// was offered (and is permitted), its arguments parse as a JSON object, and they satisfy the
// tool's `parameters` schema. Bounded: arguments over `maxArgumentBytes` and calls past
// `maxCalls` are invalid without being parsed; error text is capped.

export interface ToolCallLimits {
  /** Arguments longer than this (UTF-16 code units, about bytes for JSON) are invalid. */
  readonly maxArgumentBytes: number;
  /** Tool calls per answer; more are invalid. */
  readonly maxCalls: number;
}

export const DEFAULT_TOOL_CALL_LIMITS: ToolCallLimits = { maxArgumentBytes: 256 * 1024, maxCalls: 64 };

/** Error text per answer is capped (it goes into a 502 message and into repair feedback). */
export const MAX_ERROR_CHARS = 2000;

export interface CallToCheck {
  readonly name: string;
  readonly arguments: string;
}

export interface CallVerdict {
  readonly valid: boolean;
  readonly errors: readonly string[];
}

export interface Verdict {
  readonly valid: boolean;
  /** One line per problem, naming the call: `call 0 (search): arguments/query must be string`. */
  readonly errors: readonly string[];
}

/** Is a tool name permitted? (the tenant's allow/deny lists); absent: every offered tool is. */
export type ToolPermitted = (name: string) => boolean;

interface OfferedTool {
  readonly parameters: unknown;
  readonly strict: boolean;
  /** Looked up in the cache at the first call to it, then kept for the request's other calls. */
  compiled?: CompiledSchema;
}

/**
 * The tools of one request, looked up by name. Schemas are compiled only for tools that are
 * called (through the shared cache), never for every tool offered.
 */
export class OfferedTools {
  readonly #byName = new Map<string, OfferedTool>();
  readonly #cache: SchemaCache;
  readonly #permitted: ToolPermitted | undefined;
  readonly #limits: ToolCallLimits;

  constructor(tools: unknown, cache: SchemaCache, options: { permitted?: ToolPermitted; limits?: ToolCallLimits } = {}) {
    this.#cache = cache;
    this.#permitted = options.permitted;
    this.#limits = options.limits ?? DEFAULT_TOOL_CALL_LIMITS;
    if (!Array.isArray(tools)) return;
    for (const tool of tools) {
      const fn = isRecord(tool) && tool.type === 'function' && isRecord(tool.function) ? tool.function : undefined;
      if (fn === undefined || typeof fn.name !== 'string' || this.#byName.has(fn.name)) continue;
      this.#byName.set(fn.name, { parameters: fn.parameters, strict: fn.strict === true });
    }
  }

  get limits(): ToolCallLimits {
    return this.#limits;
  }

  /** Checks one call; `index` is its place in the answer. */
  check(call: CallToCheck, index: number): CallVerdict {
    if (index >= this.#limits.maxCalls) return invalid(`more than ${this.#limits.maxCalls} tool calls in one answer`);
    const tool = this.#byName.get(call.name);
    if (tool === undefined) return invalid(`the tool "${clip(call.name, 64)}" was not offered in the request`);
    if (this.#permitted !== undefined && !this.#permitted(call.name)) return invalid(`the tool "${clip(call.name, 64)}" is not allowed for this key`);
    if (call.arguments.length > this.#limits.maxArgumentBytes) return invalid(`arguments longer than ${this.#limits.maxArgumentBytes} bytes`);
    let args: unknown;
    try {
      args = JSON.parse(call.arguments);
    } catch (err) {
      return invalid(`arguments are not valid JSON (${clip((err as Error).message, 120)})`);
    }
    if (!isRecord(args)) return invalid('arguments must be a JSON object');
    // A tool without parameters takes any object (OpenAI's default).
    if (tool.parameters === undefined || tool.parameters === null) return VALID;
    const compiled = (tool.compiled ??= this.#cache.compile(strictened(tool)));
    if (!compiled.ok) return invalid(compiled.reason);
    try {
      if (compiled.validate(args)) return VALID;
    } catch {
      // A $ref cycle that never consumes input recurses until the stack runs out.
      return invalid('the tool schema recurses without end');
    }
    return { valid: false, errors: describeErrors(compiled.validate.errors) };
  }

  /** Checks every call of an answer. */
  checkAll(calls: readonly CallToCheck[]): Verdict {
    const errors: string[] = [];
    calls.forEach((call, i) => {
      const verdict = this.check(call, i);
      for (const e of verdict.errors) errors.push(`call ${i} (${clip(call.name, 64)}): ${e}`);
    });
    return { valid: errors.length === 0, errors: capErrors(errors) };
  }
}

/**
 * OpenAI's structured-outputs strict mode (`strict: true`) guarantees objects without extra
 * properties: the model's output is held to that even where the schema leaves
 * `additionalProperties` out (OpenAI refuses such a schema, a compatible server may not).
 */
function strictened(tool: OfferedTool): unknown {
  if (!tool.strict || !isRecord(tool.parameters) || 'additionalProperties' in tool.parameters) return tool.parameters;
  return { ...tool.parameters, additionalProperties: false };
}

/** Keeps the error list within MAX_ERROR_CHARS overall. */
export function capErrors(errors: readonly string[]): string[] {
  const kept: string[] = [];
  let total = 0;
  for (const e of errors) {
    const line = clip(e, 300);
    if (total + line.length > MAX_ERROR_CHARS) {
      kept.push(`... and ${errors.length - kept.length} more`);
      break;
    }
    kept.push(line);
    total += line.length;
  }
  return kept;
}

const VALID: CallVerdict = { valid: true, errors: [] };
const invalid = (error: string): CallVerdict => ({ valid: false, errors: [error] });
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}...` : text);
export const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
