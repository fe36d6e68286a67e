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
  /** By canonical text, in recency order (a Map keeps insertion order: refreshed by re-inserting). */
  readonly #entries = new Map<string, Entry>();
  /** The canonical key by the schema's text as written: found without canonicalising (the common case). */
  readonly #byText = new Map<string, string>();
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
    // Bounded by the request's own limits (depth, size), so stringifying is safe and native-fast.
    const text = JSON.stringify(schema) ?? 'null';
    const cacheText = text.length <= MAX_SCHEMA_CHARS * 2;
    const knownKey = cacheText ? this.#byText.get(text) : undefined;
    const known = knownKey === undefined ? undefined : this.#hit(knownKey);
    if (known !== undefined) return known;
    const key = canonicalJson(schema);
    if (key === undefined) return { ok: false, reason: 'the tool schema nests too deeply' };
    if (key.length > MAX_SCHEMA_CHARS) return { ok: false, reason: `the tool schema is larger than ${MAX_SCHEMA_CHARS} characters` };
    if (cacheText) {
      if (this.#byText.size >= this.#capacity * 2) this.#byText.delete(this.#byText.keys().next().value!);
      this.#byText.set(text, key);
    }
    const hit = this.#hit(key);
    if (hit !== undefined) return hit;
    const entry = this.#compileFresh(key);
    if (this.#entries.size >= this.#capacity) this.#evictOldest();
    this.#entries.set(key, entry);
    return entry.compiled;
  }

  #hit(key: string): CompiledSchema | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.compiled;
  }

  #evictOldest(): void {
    const [key, entry] = this.#entries.entries().next().value!;
    this.#entries.delete(key);
    // ajv keeps every schema it compiled, keyed by the schema object: let go of it too.
    if (entry.source !== undefined) this.#ajv.removeSchema(entry.source);
  }

  #compileFresh(key: string): Entry {
    this.compiles++;
    const schema = JSON.parse(key) as unknown;
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return { compiled: { ok: false, reason: 'the tool schema is not an object' } };
    // Compiled from a fresh copy so the client's body is never annotated by ajv.
    const source = stripIds(schema as Record<string, unknown>);
    try {
      return { compiled: { ok: true, validate: this.#ajv.compile(source) }, source };
    } catch (err) {
      this.#ajv.removeSchema(source);
      return { compiled: { ok: false, reason: `the tool schema cannot be compiled: ${String((err as Error).message).slice(0, 200)}` } };
    }
  }
}

interface Entry {
  readonly compiled: CompiledSchema;
  /** The object ajv compiled (and keeps until removed). */
  readonly source?: Record<string, unknown>;
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
