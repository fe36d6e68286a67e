import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { coerceInterpolated } from './coerce.ts';
import { interpolateEnv, type InterpolationNotes, type UnsetVariable } from './interpolate.ts';
import { sharedConfigJsonSchema } from './json-schema.ts';
import { describeProblems, formatPath } from './problems.ts';
import { referenceProblems } from './references.ts';
import { configSchema, type Config } from './schema.ts';

export interface LoadedConfig {
  readonly config: Config;
  /** Providers switched off because their apiKey names an unset variable: name → reason. */
  readonly disabledProviders: ReadonlyMap<string, string>;
  readonly source: string;
}

/** A config that cannot be used; `problems` are `path: message` lines, every one found. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(source: string, problems: string[]) {
    super(`${source}: invalid configuration\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read file: ${(err as Error).message}`]);
  }
  return parseConfig(text, file, env);
}

export function parseConfig(text: string, source: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  // merge: YAML merge keys (`<<: *azure`) reuse one block across providers or models.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, merge: true });
  if (doc.errors.length > 0) {
    // Later YAML errors are usually echoes of the first; three are enough to find it.
    throw new ConfigError(source, doc.errors.slice(0, 3).map((e) => `YAML: ${e.message.split('\n')[0]!.replace(/:$/, '')}`));
  }
  const unset: UnsetVariable[] = [];
  const notes: InterpolationNotes = { interpolated: [], unbraced: [] };
  // The JSON Schema is built (once) only when needed: interpolated values or problems to explain.
  const schema = sharedConfigJsonSchema;
  const interpolated = interpolateEnv(doc.toJS() ?? {}, env, unset, notes);
  const raw = notes.interpolated.length === 0 ? interpolated : coerceInterpolated(interpolated, notes.interpolated, schema());

  const problems: string[] = [];
  for (const { path, name } of notes.unbraced) {
    problems.push(`${formatPath(path)}: "$${name}" is not replaced: write \${${name}} for the environment variable (or $$${name} for the text itself)`);
  }
  const disabledProviders = new Map<string, string>();
  for (const { path, name } of unset) {
    if (path.length === 3 && path[0] === 'providers' && path[2] === 'apiKey') {
      disabledProviders.set(String(path[1]), `${name} is not set`);
    } else if (path.length === 2 && path[0] === 'server' && path[1] === 'adminKey') {
      // No admin key: the admin endpoints are off (they answer 404), which is a valid choice.
    } else {
      problems.push(`${formatPath(path)}: environment variable ${name} is not set`);
    }
  }

  const parsed = configSchema.safeParse(raw);
  const references = referenceProblems(raw);
  if (!parsed.success || references.length > 0) problems.push(...describeProblems(parsed.success ? [] : parsed.error.issues, references, raw, schema()));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(source, problems);
  return { config: deepFreeze(parsed.data), disabledProviders, source };
}

export { formatPath };

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
