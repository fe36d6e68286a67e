// Walks the config's JSON Schema: which schema nodes a config path lands on (for coercing
// interpolated values and suggesting keys), and every documented path with placeholders for
// names the user chooses (`providers.NAME.kind`, `models.ALIAS.targets[].weight`).

export type SchemaNode = Record<string, unknown>;

/** The alternatives of a union (anyOf/oneOf), flattened; a plain node is its own one branch. */
export function branches(node: SchemaNode): SchemaNode[] {
  const alternatives = (node.anyOf ?? node.oneOf) as SchemaNode[] | undefined;
  if (alternatives === undefined) return [node];
  return alternatives.flatMap(branches);
}

function children(node: SchemaNode, key: string | number): SchemaNode[] {
  const out: SchemaNode[] = [];
  for (const branch of branches(node)) {
    const properties = branch.properties as Record<string, SchemaNode> | undefined;
    if (typeof key === 'string' && properties && Object.hasOwn(properties, key)) out.push(properties[key]!);
    else if (typeof key === 'string' && isRecordNode(branch)) out.push(branch.additionalProperties as SchemaNode);
    else if (typeof key === 'number' && branch.items && typeof branch.items === 'object') out.push(branch.items as SchemaNode);
  }
  return out;
}

/** The schema nodes a concrete config path (`['providers', 'azure', 'timeouts']`) may land on. */
export function nodesAt(root: SchemaNode, path: readonly (string | number)[]): SchemaNode[] {
  let nodes = [root];
  for (const key of path) nodes = nodes.flatMap((n) => children(n, key));
  return nodes;
}

/** Keys an object at this path may have (for "did you mean"). */
export function keysAt(root: SchemaNode, path: readonly (string | number)[]): string[] {
  const keys = new Set<string>();
  for (const node of nodesAt(root, path)) {
    for (const branch of branches(node)) for (const key of Object.keys((branch.properties as object | undefined) ?? {})) keys.add(key);
  }
  return [...keys];
}

/** Whether some branch at this node accepts a JSON type ("number", "boolean", ...). */
export function acceptsType(node: SchemaNode, type: 'number' | 'boolean'): boolean {
  return branches(node).some((b) => b.type === type || (type === 'number' && b.type === 'integer'));
}

function isRecordNode(node: SchemaNode): boolean {
  return node.type === 'object' && node.properties === undefined && typeof node.additionalProperties === 'object';
}

const PLACEHOLDERS: Record<string, string> = { providers: 'NAME', models: 'ALIAS', tenants: 'NAME', pricing: 'MODEL' };

/**
 * Every documented path, parents before children. A record of plain values (headers,
 * query) is one path; a record of objects (providers) continues through its placeholder.
 */
export function documentedPaths(root: SchemaNode): string[] {
  const out = new Set<string>();
  forEachDocumentedNode(root, (path) => out.add(path));
  return [...out];
}

/** Calls `annotate` on each property node with its documented path (a path may come once per union branch). */
export function forEachDocumentedNode(root: SchemaNode, annotate: (path: string, node: SchemaNode) => void): void {
  const visit = (node: SchemaNode, path: string, parentKey: string) => {
    for (const branch of branches(node)) {
      if (branch.type === 'array' && branch.items && typeof branch.items === 'object') visitObject(branch.items as SchemaNode, `${path}[]`);
      else if (isRecordNode(branch)) {
        const inner = branch.additionalProperties as SchemaNode;
        if (branches(inner).some((b) => b.properties !== undefined)) {
          const entryPath = `${path}.${PLACEHOLDERS[parentKey] ?? 'KEY'}`;
          annotate(entryPath, inner);
          visitObject(inner, entryPath);
        }
      } else visitObject(branch, path);
    }
  };
  const visitObject = (node: SchemaNode, path: string) => {
    for (const branch of branches(node)) {
      const properties = branch.properties as Record<string, SchemaNode> | undefined;
      if (!properties) continue;
      for (const [key, child] of Object.entries(properties)) {
        const childPath = path === '' ? key : `${path}.${key}`;
        annotate(childPath, child);
        visit(child, childPath, key);
      }
    }
  };
  visitObject(root, '');
}
