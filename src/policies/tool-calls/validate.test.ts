import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toolPermissions } from '../tool-permissions.ts';
import { validateLine } from './cli.ts';
import { SchemaCache } from './schema-cache.ts';
import { MAX_ERROR_CHARS, OfferedTools } from './validate.ts';

const search = { type: 'function', function: { name: 'search_docs', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } };
const refund = { type: 'function', function: { name: 'issue_refund', parameters: { type: 'object', properties: { amount: { type: 'number' } } } } };
const wipe = { type: 'function', function: { name: 'delete_customer_data' } };

describe('tool calls against the offered tools', () => {
  const cache = new SchemaCache();

  it('accepts a call that fits, and names what is wrong with one that does not', () => {
    const tools = new OfferedTools([search], cache);
    expect(tools.checkAll([{ name: 'search_docs', arguments: '{"q":"x"}' }])).toEqual({ valid: true, errors: [] });
    expect(tools.checkAll([{ name: 'search_docs', arguments: '{"q":1}' }]).errors).toEqual(['call 0 (search_docs): arguments/q must be string']);
    expect(tools.checkAll([{ name: 'search_docs', arguments: '{}' }]).errors).toEqual(['call 0 (search_docs): arguments is missing the required property "q"']);
    expect(tools.checkAll([{ name: 'search_docs', arguments: '{"q":' }]).errors[0]).toMatch(/^call 0 \(search_docs\): arguments are not valid JSON/);
    expect(tools.checkAll([{ name: 'search_docs', arguments: '["q"]' }]).errors).toEqual(['call 0 (search_docs): arguments must be a JSON object']);
    expect(tools.checkAll([{ name: 'other', arguments: '{}' }]).errors).toEqual(['call 0 (other): the tool "other" was not offered in the request']);
  });

  it('a tool without parameters takes any object', () => {
    const tools = new OfferedTools([wipe], cache);
    expect(tools.check({ name: 'delete_customer_data', arguments: '{"anything":[1]}' }, 0).valid).toBe(true);
  });

  it('a call to an offered tool the tenant does not permit is invalid', () => {
    const { permitted } = toolPermissions({ allow: ['search_*'], approve: ['issue_refund'], deny: ['delete_*'] });
    const tools = new OfferedTools([search, refund, wipe], cache, { permitted });
    expect(tools.check({ name: 'search_docs', arguments: '{"q":"x"}' }, 0).valid).toBe(true);
    expect(tools.check({ name: 'issue_refund', arguments: '{"amount":5}' }, 0).valid).toBe(true);
    expect(tools.check({ name: 'delete_customer_data', arguments: '{}' }, 0).errors).toEqual(['the tool "delete_customer_data" is not allowed for this key']);
  });

  it('bounds argument size, calls per answer and error text', () => {
    const tools = new OfferedTools([search], cache, { limits: { maxArgumentBytes: 100, maxCalls: 2 } });
    expect(tools.check({ name: 'search_docs', arguments: `{"q":"${'x'.repeat(200)}"}` }, 0).errors).toEqual(['arguments longer than 100 bytes']);
    const many = Array.from({ length: 400 }, () => ({ name: 'search_docs', arguments: '{"q":1}' }));
    const verdict = new OfferedTools([search], cache, { limits: { maxArgumentBytes: 100, maxCalls: 1000 } }).checkAll(many);
    expect(verdict.errors.join('').length).toBeLessThanOrEqual(MAX_ERROR_CHARS + 100);
    expect(verdict.errors.at(-1)).toMatch(/^\.\.\. and \d+ more$/);
    expect(tools.checkAll(many.slice(0, 3)).errors.at(-1)).toBe('call 2 (search_docs): more than 2 tool calls in one answer');
  });
});

// The development data: BFCL calls with their labels. Two rows are labelled valid although
// their second call carries a property its schema forbids (additionalProperties: false); the
// validator follows JSON Schema there (see data/README.md).
const MISLABELLED = new Set(['parallel_multiple_12', 'parallel_multiple_26']);

describe('the labelled tool-call data', () => {
  it('agrees with every label (and names the two mislabelled rows)', () => {
    const lines = readFileSync(new URL('../../../data/toolcalls/toolcalls.jsonl', import.meta.url), 'utf8').split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(6307);
    const cache = new SchemaCache();
    const disagreements: string[] = [];
    for (const line of lines) {
      const row = JSON.parse(line) as { id: string; valid: boolean; why: string };
      const verdict = validateLine(line, cache);
      if (verdict.valid !== row.valid) disagreements.push(`${row.id}:${row.why}`);
      if (!verdict.valid) expect(verdict.errors.length).toBeGreaterThan(0);
    }
    expect(disagreements.filter((d) => !MISLABELLED.has(d.split(':')[0]!))).toEqual([]);
    expect(disagreements.map((d) => d.split(':')[0]).sort()).toEqual([...MISLABELLED].sort());
  });
});
