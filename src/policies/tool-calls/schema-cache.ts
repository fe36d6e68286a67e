import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { canonicalJson } from '../../metering/runs/canonical-json.ts';

// Tool schemas come from clients and are compiled to code by ajv, so compiling is the
// expensive and the dangerous part: each distinct schema is compiled once and cached under
// its canonical text (key order and spacing do not make a new entry), the cache holds a
// bounded number of entries (least recently used go first), and a schema too large, too
// deep, or with a pattern that could backtrack for ever is refused instead of compiled.

/** Canonical schema text longer than this is not compiled (its tool's calls are invalid). */
export const MAX_SCHEMA_CHARS = 64 * 1024;
/** Compiled validators kept; each costs a few KB of generated code. */
export const DEFAULT_CACHE_ENTRIES = 2048;

export type CompiledSchema =
  | { readonly ok: true; readonly validate: ValidateFunction }
  | { readonly ok: false; readonly reason: string };

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

// A group that repeats and itself holds a repetition ((a+)+, (\w*)*, (a|aa){2,}): the
// shape of catastrophic backtracking. Such patterns are refused rather than run on model output.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;
const MAX_PATTERN_CHARS = 512;

/** A RegExp factory for ajv that refuses patterns able to backtrack catastrophically. */
function guardedRegExp(pattern: string, flags: string): RegExp {
  if (pattern.length > MAX_PATTERN_CHARS) throw new Error(`pattern longer than ${MAX_PATTERN_CHARS} characters`);
  if (NESTED_QUANTIFIER.test(pattern)) throw new Error('pattern with a nested quantifier (could backtrack catastrophically)');
  return new RegExp(pattern, flags);
}
guardedRegExp.code = 'new RegExp';

function newAjv(): Ajv {
  const ajv = new Ajv({
    // Tool schemas carry descriptions, titles and vendor keywords: unknown keywords are
    // ignored rather than refused, unknown formats pass, as OpenAI treats them.
    strict: false,
    allErrors: false,
    logger: false,
    validateFormats: true,
    // Never fetch a remote $ref: an unresolvable reference fails the compile.
    loadSchema: undefined,
    code: { regExp: guardedRegExp as never },
  });
  addFormats(ajv);
  return ajv;
}

export class SchemaCache {
  readonly #ajv = newAjv();
  readonly #entries = new Map<string, CompiledSchema>();
  readonly #capacity: number;
  compiles = 0;

  constructor(capacity = DEFAULT_CACHE_ENTRIES) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The compiled validator for a schema (compiled once per distinct canonical text). */
  compile(schema: unknown): CompiledSchema {
    const key = canonicalJson(schema);
    if (key === undefined) return { ok: false, reason: 'the tool schema nests too deeply' };
    if (key.length > MAX_SCHEMA_CHARS) return { ok: false, reason: `the tool schema is larger than ${MAX_SCHEMA_CHARS} characters` };
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      // Refresh its place: the map's order is the recency order.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const compiled = this.#compileFresh(key);
    if (this.#entries.size >= this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, compiled);
    return compiled;
  }

  #compileFresh(key: string): CompiledSchema {
    this.compiles++;
    const schema = JSON.parse(key) as unknown;
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return { ok: false, reason: 'the tool schema is not an object' };
    try {
      // Compiled from a fresh copy so the client's body is never annotated by ajv.
      const validate = this.#ajv.compile(stripIds(schema as Record<string, unknown>));
      return { ok: true, validate };
    } catch (err) {
      return { ok: false, reason: `the tool schema cannot be compiled: ${String((err as Error).message).slice(0, 200)}` };
    }
  }
}

/** A top-level `$id` would register the schema by name in ajv: two tools with one id would clash. */
function stripIds(schema: Record<string, unknown>): Record<string, unknown> {
  if (!('$id' in schema) && !('id' in schema && typeof schema.id === 'string')) return schema;
  const { $id: _$id, ...rest } = schema;
  return rest;
}

/** ajv's errors as short sentences: "/height must be integer". */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined, limit = 5): string[] {
  return (errors ?? []).slice(0, limit).map((e) => {
    const where = e.instancePath === '' ? 'arguments' : `arguments${e.instancePath}`;
    if (e.keyword === 'additionalProperties') return `${where} has an unexpected property "${String(e.params.additionalProperty)}"`;
    if (e.keyword === 'required') return `${where} is missing the required property "${String(e.params.missingProperty)}"`;
    if (e.keyword === 'enum') return `${where} must be one of the allowed values`;
    return `${where} ${e.message ?? 'is invalid'}`;
  });
}
