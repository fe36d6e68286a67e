import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { withConfigTable } from './config-table.ts';
import { CONFIG_DOCS } from './descriptions.ts';
import { configJsonSchema } from './json-schema.ts';
import { documentedPaths, nodesAt, type SchemaNode } from './schema-paths.ts';

describe('config key descriptions (one source for config-schema and the README)', () => {
  const schema = configJsonSchema() as SchemaNode;
  const paths = documentedPaths(schema);

  test('every key of the schema has a description', () => {
    const missing = paths.filter((p) => CONFIG_DOCS[p] === undefined);
    expect(missing, 'add these to src/config/descriptions.ts, then run npm run docs:config').toEqual([]);
  });

  test('no description is left for a key the schema no longer has', () => {
    expect(Object.keys(CONFIG_DOCS).filter((p) => !paths.includes(p))).toEqual([]);
  });

  test('config-schema carries the descriptions, on each path of a shared shape separately', () => {
    const [port] = nodesAt(schema, ['server', 'port']);
    expect(port!.description).toBe('Listen port (`--port` overrides). Default: `8787`.');
    const provider = nodesAt(schema, ['providers', 'p', 'maxConcurrent']);
    const target = nodesAt(schema, ['models', 'a', 'targets', 0, 'maxConcurrent']);
    expect(provider[0]!.description).toMatch(/^Calls in flight to this provider/);
    expect(target[0]!.description).toMatch(/^As for providers/);
    // Markdown links are for the README; editors get the plain words.
    expect(JSON.stringify(schema)).not.toMatch(/\]\(#/);
  });

  test('the README table is the generated one (npm run docs:config)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withConfigTable(readme)).toBe(readme);
  });
});
