import type { ConfigPath } from './interpolate.ts';
import { acceptsType, nodesAt, type SchemaNode } from './schema-paths.ts';

// `port: ${PORT:-8787}` is a string after interpolation; where the schema takes a number or a
// boolean (durations and sizes take a bare number too), the interpolated text is read as one.
// Only interpolated values are touched: `port: "8787"` written as a string stays an error.

const NUMBER = /^-?\d+(\.\d+)?$/;
const BOOLEAN = /^(true|false)$/;

export function coerceInterpolated(raw: unknown, paths: readonly ConfigPath[], root: SchemaNode): unknown {
  for (const path of paths) {
    const parent = parentOf(raw, path);
    const key = path.at(-1);
    if (parent === undefined || key === undefined) continue;
    const value = parent[key];
    if (typeof value !== 'string') continue;
    const text = value.trim();
    const nodes = nodesAt(root, path);
    if (NUMBER.test(text) && nodes.some((n) => acceptsType(n, 'number'))) parent[key] = Number(text);
    else if (BOOLEAN.test(text) && nodes.some((n) => acceptsType(n, 'boolean'))) parent[key] = text === 'true';
  }
  return raw;
}

function parentOf(raw: unknown, path: ConfigPath): Record<string | number, unknown> | undefined {
  let node = raw;
  for (const key of path.slice(0, -1)) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
  return node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>) : undefined;
}
