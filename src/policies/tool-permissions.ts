// A tenant's tool tiers: `allow`, `approve` and `deny` lists of names or glob patterns
// (`*` any run of characters, `?` one character), prepared once per list.
// Deny wins over everything; with an `allow` list, a tool must match it (or `approve`);
// without one, every tool not denied is permitted. `approve` names the tools whose calls
// wait for a person, not an allow-list of its own: they count as permitted here, and what
// happens to their calls is decided by the approval flow.

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
  const deny = globMatcher(tiers.deny ?? []);
  const allowLists = [...(tiers.allow ?? []), ...(tiers.approve ?? [])];
  const restricted = tiers.allow !== undefined;
  const allow = globMatcher(allowLists);
  const denied = (name: string) => deny.test(name);
  return {
    denied,
    permitted: (name) => !denied(name) && (!restricted || allow.test(name)),
    strip: tiers.strip === true,
  };
}

/** A matcher for any of the globs (never matches when there are none); literal names are looked up in a set. */
export function globMatcher(globs: readonly string[]): { test(name: string): boolean } {
  const exact = new Set(globs.filter((g) => !/[*?]/.test(g)));
  const patterns = globs.filter((g) => /[*?]/.test(g));
  return { test: (name) => exact.has(name) || patterns.some((p) => globMatch(p, name)) };
}

/**
 * Wildcard matching with one backtrack point (the last `*`): O(pattern × name) at worst,
 * never exponential, unlike a RegExp built from `*a*a*a*b` run on a long name.
 */
function globMatch(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = n;
    } else if (star !== -1) {
      p = star + 1;
      n = ++resume;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
