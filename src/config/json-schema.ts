import { z } from 'zod';
import { CONFIG_DOCS } from './descriptions.ts';
import { forEachDocumentedNode, nodesAt, type SchemaNode } from './schema-paths.ts';
import { configSchema } from './schema.ts';

/** JSON Schema of the config file (as written, before defaults), for editor autocompletion and help. */
export function configJsonSchema(): Record<string, unknown> {
  // A copy: zod may share one node between paths (the concurrency fields), each needs its own text.
  const schema: SchemaNode = structuredClone({
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Tollgate configuration',
  });
  // `models: "*"` is read as ["*"] before validation (a preprocess the JSON Schema cannot show).
  for (const node of nodesAt(schema, ['tenants', 'NAME', 'models'])) {
    const list = { ...node };
    for (const key of Object.keys(node)) delete node[key];
    node.anyOf = [{ type: 'string', const: '*' }, list];
  }
  forEachDocumentedNode(schema, (path, node) => {
    const doc = CONFIG_DOCS[path];
    if (doc === undefined) return;
    node.description = doc.default === '' || doc.default === '—' ? plain(doc.text) : `${plain(doc.text)} Default: ${plain(doc.default)}.`;
  });
  return schema;
}

/** Editors show descriptions as plain text: no Markdown links. */
function plain(text: string): string {
  return text.replace(/\[([^\]]+)\]\(#[^)]*\)/g, '$1');
}

let cached: SchemaNode | undefined;
/** The schema, built once per process, for the loader's coercions and suggestions (not to be changed). */
export function sharedConfigJsonSchema(): SchemaNode {
  return (cached ??= configJsonSchema() as SchemaNode);
}
