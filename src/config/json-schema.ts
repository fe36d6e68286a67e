import { z } from 'zod';
import { CONFIG_DOCS } from './descriptions.ts';
import { forEachDocumentedNode, type SchemaNode } from './schema-paths.ts';
import { configSchema } from './schema.ts';

/** JSON Schema of the config file (as written, before defaults), for editor autocompletion and help. */
export function configJsonSchema(): Record<string, unknown> {
  // A copy: zod may share one node between paths (the concurrency fields), each needs its own text.
  const schema: SchemaNode = structuredClone({
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Tollgate configuration',
  });
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
