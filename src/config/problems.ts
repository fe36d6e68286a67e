import type { z } from 'zod';
import type { ConfigPath } from './interpolate.ts';
import { keysAt, type SchemaNode } from './schema-paths.ts';

// Turns schema and reference failures into `path: message` lines that lead with the cause:
// unknown keys first (with "did you mean" when a known key is close), and errors that only
// follow from another one (a misspelled key is also a missing one; a missing `providers`
// makes every target's provider unknown) folded into it.

export interface PathProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** Cross-reference problems that a missing section explains: the section → the message they start with. */
const DEPENDENT_REFERENCES: Record<string, RegExp> = { providers: /^unknown provider /, models: /^unknown model / };

export function describeProblems(issues: readonly z.core.$ZodIssue[], references: readonly PathProblem[], raw: unknown, root: SchemaNode): string[] {
  const unknown: string[] = [];
  const folded = new Set<z.core.$ZodIssue>();
  const missingSections = new Set<string>();
  const missing = (issue: z.core.$ZodIssue) => isMissing(issue, raw);

  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const present = Object.keys(objectAt(raw, issue.path) ?? {});
    const candidates = keysAt(root, issue.path as ConfigPath).filter((k) => !present.includes(k));
    const unexplained: string[] = [];
    for (const key of issue.keys) {
      const suggestion = closest(key, candidates);
      if (suggestion === undefined) {
        unexplained.push(key);
        continue;
      }
      let message = `unknown key "${key}" (did you mean "${suggestion}"?)`;
      const consequence = issues.find((i) => missing(i) && samePath(i.path, [...issue.path, suggestion]));
      if (consequence) {
        folded.add(consequence);
        message += `; so "${suggestion}" is missing`;
      }
      unknown.push(`${formatPath(issue.path)}: ${message}`);
    }
    if (unexplained.length > 0) {
      unknown.push(`${formatPath(issue.path)}: unknown key${unexplained.length > 1 ? 's' : ''} ${unexplained.map((k) => `"${k}"`).join(', ')}`);
    }
  }
  const rest: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys' || folded.has(issue)) continue;
    if (issue.path.length === 1 && missing(issue)) missingSections.add(String(issue.path[0]));
    rest.push(`${formatPath(issue.path)}: ${missing(issue) ? `missing (${bare(issue.message)})` : issueMessage(issue)}`);
  }
  let hidden = 0;
  const referenceLines: string[] = [];
  for (const problem of references) {
    const cause = [...missingSections, ...missingByTypo(issues, folded)].find((s) => DEPENDENT_REFERENCES[s]?.test(problem.message));
    if (cause !== undefined) hidden++;
    else referenceLines.push(`${formatPath(problem.path)}: ${problem.message}`);
  }
  const lines = [...unknown, ...rest, ...referenceLines];
  if (hidden > 0 && lines.length > 0) lines[0] += ` (${hidden} problem${hidden === 1 ? '' : 's'} that follow from it not shown)`;
  return lines;
}

/** Top-level sections reported missing only because their key was misspelled. */
function missingByTypo(issues: readonly z.core.$ZodIssue[], folded: ReadonlySet<z.core.$ZodIssue>): string[] {
  return issues.filter((i) => folded.has(i) && i.path.length === 1).map((i) => String(i.path[0]));
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator') return 'expected one of "openai", "mock"';
  return issue.message;
}

/** A required key that is absent (zod reports it as a type error, under a custom message when the schema has one). */
function isMissing(issue: z.core.$ZodIssue, raw: unknown): boolean {
  if (issue.code !== 'invalid_type' || issue.path.length === 0) return false;
  const parent = objectAt(raw, issue.path.slice(0, -1));
  return parent !== undefined && parent[issue.path.at(-1) as string] === undefined;
}

function bare(message: string): string {
  return message.replace(/^Invalid input: /, '').replace(/, received undefined$/, '');
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

function samePath(a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

function objectAt(raw: unknown, path: readonly PropertyKey[]): Record<string, unknown> | undefined {
  let node = raw;
  for (const key of path) node = node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

/** The known key nearest to a typo, if near enough: same letters in another case, or a few edits away. */
export function closest(typo: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.min(3, Math.floor(typo.length / 3)));
  for (const key of known) {
    const distance = key.toLowerCase() === typo.toLowerCase() ? 0 : editDistance(typo.toLowerCase(), key.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = key;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
