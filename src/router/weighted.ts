// Weighted balancing across equivalent targets. Consecutive targets that have a weight form
// one group; for each request one member is chosen with probability weight / group total
// and put first, the rest of the group follow in configured order (they are its fallback),
// and unweighted targets keep their place. A pinned target (an agent run's) is chosen
// whenever it is in the group.

export function orderByWeight<T>(
  targets: readonly T[],
  weightOf: (target: T) => number | undefined,
  options: { random?: () => number; pinned?: (target: T) => boolean } = {},
): T[] {
  const random = options.random ?? Math.random;
  const out: T[] = [];
  let i = 0;
  while (i < targets.length) {
    if (weightOf(targets[i]!) === undefined) {
      out.push(targets[i]!);
      i++;
      continue;
    }
    let end = i;
    while (end < targets.length && weightOf(targets[end]!) !== undefined) end++;
    const group = targets.slice(i, end);
    const chosen = choose(group, weightOf, random, options.pinned);
    out.push(group[chosen]!, ...group.filter((_, k) => k !== chosen));
    i = end;
  }
  return out;
}

function choose<T>(group: readonly T[], weightOf: (t: T) => number | undefined, random: () => number, pinned?: (t: T) => boolean): number {
  if (pinned !== undefined) {
    const at = group.findIndex(pinned);
    if (at !== -1) return at;
  }
  if (group.length === 1) return 0;
  const total = group.reduce((sum, t) => sum + weightOf(t)!, 0);
  let point = random() * total;
  for (let k = 0; k < group.length; k++) {
    point -= weightOf(group[k]!)!;
    if (point < 0) return k;
  }
  return group.length - 1;
}
