/** OpenAI-style parameter path, as errors name it in `param`: messages[2].role */
export function paramOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}
