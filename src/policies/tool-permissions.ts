// A tenant's tool tiers: `allow`, `approve` and `deny` lists of names or glob patterns
// (`*` any run of characters, `?` one character), compiled once into one RegExp per list.
// Deny wins over everything; with an allow (or approve) list, a tool must match one of them;
// with neither, every tool not denied is permitted. `approve` tools count as permitted here:
// what happens to their calls is decided by the approval flow.

export interface ToolTiers {
  readonly allow?: readonly string[] | undefined;
  readonly approve?: readonly string[] | undefined;
  readonly deny?: readonly string[] | undefined;
  /** Offered denied tools are removed from the request instead of refusing it (403). */
  readonly strip?: boolean | undefined;
}

export interface ToolPermissions {
  /** May the model call this tool (and may a request offer it)? */
  permitted(name: string): boolean;
  denied(name: string): boolean;
  readonly strip: boolean;
}

export function toolPermissions(tiers: ToolTiers): ToolPermissions {
  const deny = globsToRegExp(tiers.deny ?? []);
  const allowLists = [...(tiers.allow ?? []), ...(tiers.approve ?? [])];
  const restricted = tiers.allow !== undefined || tiers.approve !== undefined;
  const allow = globsToRegExp(allowLists);
  const denied = (name: string) => deny.test(name);
  return {
    denied,
    permitted: (name) => !denied(name) && (!restricted || allow.test(name)),
    strip: tiers.strip === true,
  };
}

/** One anchored RegExp matching any of the globs (never matches when there are none). */
export function globsToRegExp(globs: readonly string[]): RegExp {
  if (globs.length === 0) return /(?!)/;
  // Only * and ? are special: everything else is escaped, so a glob can never be a
  // backtracking regular expression ([*] becomes [^]*, linear on tool names).
  const alternatives = globs.map((glob) => glob.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '[^]*' : c === '?' ? '[^]' : `\\${c}`)));
  return new RegExp(`^(?:${alternatives.join('|')})$`);
}
