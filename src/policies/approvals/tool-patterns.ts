// Tool names or globs from config (`issue_refund`, `send_*`): `*` matches any run of
// characters, `?` one; everything else is literal. Compiled once into one expression.

export type ToolMatcher = (name: string) => boolean;

export function toolMatcher(patterns: readonly string[]): ToolMatcher {
  if (patterns.length === 0) return () => false;
  const alternatives = patterns.map((p) =>
    p
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join(''),
  );
  const re = new RegExp(`^(?:${alternatives.join('|')})$`, 's');
  return (name) => re.test(name);
}
