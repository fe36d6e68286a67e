import { describe, expect, it } from 'vitest';
import { MAX_SCHEMA_CHARS, SchemaCache } from './schema-cache.ts';
import { OfferedTools } from './validate.ts';

const tool = (name: string, parameters: unknown, strict?: boolean) => ({ type: 'function', function: { name, parameters, ...(strict === undefined ? {} : { strict }) } });
const check = (parameters: unknown, args: string, cache = new SchemaCache(), strict?: boolean) => new OfferedTools([tool('t', parameters, strict)], cache).check({ name: 't', arguments: args }, 0);

describe('the schema cache', () => {
  it('compiles one schema once, whatever its key order and spacing', () => {
    const cache = new SchemaCache();
    const a = cache.compile({ type: 'object', properties: { q: { type: 'string' } }, required: ['q'] });
    const b = cache.compile(JSON.parse('{ "required": ["q"], "properties": { "q": { "type": "string" } }, "type": "object" }'));
    expect(a).toBe(b);
    expect(cache.compiles).toBe(1);
    cache.compile({ type: 'object', properties: { q: { type: 'number' } } });
    expect(cache.compiles).toBe(2);
  });

  it('holds at most its capacity, dropping the least recently used', () => {
    const cache = new SchemaCache(3);
    const schema = (i: number) => ({ type: 'object', properties: { [`p${i}`]: { type: 'string' } } });
    for (let i = 0; i < 3; i++) cache.compile(schema(i));
    cache.compile(schema(0)); // used again: now the most recent
    cache.compile(schema(3)); // evicts schema 1
    expect(cache.size).toBe(3);
    const before = cache.compiles;
    cache.compile(schema(0));
    expect(cache.compiles).toBe(before);
    cache.compile(schema(1));
    expect(cache.compiles).toBe(before + 1);
  });

  it('refuses schemas larger than the limit instead of compiling them', () => {
    const cache = new SchemaCache();
    const huge = { type: 'object', properties: { x: { enum: Array.from({ length: 20_000 }, (_, i) => `value-${i}`) } } };
    const compiled = cache.compile(huge);
    expect(compiled.ok).toBe(false);
    expect(!compiled.ok && compiled.reason).toContain(String(MAX_SCHEMA_CHARS));
    expect(cache.compiles).toBe(0);
    // A large enum within the limit compiles and checks membership.
    const enumSchema = { type: 'object', properties: { x: { enum: Array.from({ length: 3000 }, (_, i) => i) } } };
    expect(check(enumSchema, '{"x":2999}').valid).toBe(true);
    expect(check(enumSchema, '{"x":3000}').errors).toEqual(['arguments/x must be one of the allowed values']);
  });

  it('refuses schemas nested deeper than the limit', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 200; i++) deep = { type: 'object', properties: { n: deep } };
    const compiled = new SchemaCache().compile(deep);
    expect(compiled.ok).toBe(false);
  });

  it('compiles $ref cycles without hanging; a cycle that consumes nothing makes calls invalid', () => {
    const tree = { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } }, additionalProperties: false };
    expect(check(tree, '{"name":"a","children":[{"name":"b","children":[{"name":"c"}]}]}').valid).toBe(true);
    expect(check(tree, '{"name":"a","children":[{"name":1}]}').errors).toEqual(['arguments/children/0/name must be string']);
    expect(check({ $ref: '#' }, '{}').errors).toEqual(['the tool schema recurses without end']);
    const mutual = { $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' };
    expect(check(mutual, '{}').valid).toBe(false);
  });

  it('never fetches a remote $ref; unresolvable references fail the tool', () => {
    const verdict = check({ type: 'object', properties: { x: { $ref: 'http://127.0.0.1:9/schema.json' } } }, '{"x":1}');
    expect(verdict.valid).toBe(false);
    expect(verdict.errors[0]).toContain('cannot be compiled');
  });

  it('refuses patterns that could backtrack catastrophically, and runs ordinary ones', () => {
    const evil = { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } };
    const verdict = check(evil, `{"s":"${'a'.repeat(40)}!"}`);
    expect(verdict.valid).toBe(false);
    expect(verdict.errors[0]).toContain('nested quantifier');
    const plain = { type: 'object', properties: { s: { type: 'string', pattern: '^[A-Z]{3}-\\d+$' } } };
    expect(check(plain, '{"s":"ABC-12"}').valid).toBe(true);
    expect(check(plain, '{"s":"abc"}').valid).toBe(false);
  });

  it('checks the formats of the structured-outputs subset; unknown formats pass', () => {
    const schema = {
      type: 'object',
      properties: { d: { type: 'string', format: 'date' }, e: { type: 'string', format: 'email' }, u: { type: 'string', format: 'uuid' }, z: { type: 'string', format: 'zip-code' } },
    };
    expect(check(schema, '{"d":"2026-12-02","e":"a@example.com","u":"123e4567-e89b-12d3-a456-426614174000","z":"anything"}').valid).toBe(true);
    expect(check(schema, '{"d":"2026-13-45"}').errors).toEqual(['arguments/d must match format "date"']);
    expect(check(schema, '{"e":"not-an-email"}').valid).toBe(false);
  });

  it('holds strict tools to no extra properties, as structured outputs guarantee', () => {
    const schema = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] };
    expect(check(schema, '{"q":"x","extra":1}').valid).toBe(true);
    expect(check(schema, '{"q":"x","extra":1}', new SchemaCache(), true).errors).toEqual(['arguments has an unexpected property "extra"']);
    // anyOf with null: the subset's way of writing an optional field.
    const nullable = { type: 'object', properties: { n: { anyOf: [{ type: 'integer' }, { type: 'null' }] } }, required: ['n'], additionalProperties: false };
    expect(check(nullable, '{"n":null}', new SchemaCache(), true).valid).toBe(true);
    expect(check(nullable, '{"n":"1"}', new SchemaCache(), true).valid).toBe(false);
  });

  it('stays bounded under many distinct hostile schemas', () => {
    const cache = new SchemaCache(50);
    for (let i = 0; i < 500; i++) cache.compile({ type: 'object', properties: { [`k${i}`]: { type: 'array', items: { $ref: '#' } } } });
    expect(cache.size).toBe(50);
  });
});
