// `${NAME}` in any YAML string is replaced by the environment variable NAME;
// `${NAME:-fallback}` uses the fallback when NAME is unset or empty; `$${` escapes a literal
// `${` and `$$NAME` a literal `$NAME`. Unset variables are reported with the config path that
// used them, so the loader can decide: a provider's apiKey disables that provider, anywhere
// else it is a config error. `$NAME` without braces is not replaced; where it looks like a
// reference (the whole value, or an upper-case name) it is reported, since sending the text
// `$AZURE_OPENAI_API_KEY` as a key is never what was meant.

export type ConfigPath = (string | number)[];

export interface UnsetVariable {
  path: ConfigPath;
  name: string;
}

/** What else interpolation saw, for the loader's checks and coercions. */
export interface InterpolationNotes {
  /** Values that held a `${...}` reference: the schema may read them as numbers or booleans. */
  readonly interpolated: ConfigPath[];
  /** `$NAME` written without braces where a variable was probably meant. */
  readonly unbraced: UnsetVariable[];
}

const PATTERN = /\$\$(?=[{A-Za-z_])|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Marker left where an unset variable was the whole value, so the schema can see "missing". */
export const UNSET = Symbol('unset environment variable');

export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, unset: UnsetVariable[], notes?: InterpolationNotes): unknown {
  return walk(value, env, unset, notes ?? { interpolated: [], unbraced: [] }, []);
}

function walk(value: unknown, env: NodeJS.ProcessEnv, unset: UnsetVariable[], notes: InterpolationNotes, path: ConfigPath): unknown {
  if (typeof value === 'string') return interpolateString(value, env, unset, notes, path);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, env, unset, notes, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const next = walk(item, env, unset, notes, [...path, key]);
      if (next !== UNSET) out[key] = next;
    }
    return out;
  }
  return value;
}

function interpolateString(value: string, env: NodeJS.ProcessEnv, unset: UnsetVariable[], notes: InterpolationNotes, path: ConfigPath): string | typeof UNSET {
  let missing = false;
  let replaced = false;
  const result = value.replace(PATTERN, (whole, name: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    if (bare !== undefined) {
      if (whole === value || /^[A-Z][A-Z0-9_]+$/.test(bare)) notes.unbraced.push({ path, name: bare });
      return whole;
    }
    replaced = true;
    const found = env[name!];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    missing = true;
    unset.push({ path, name: name! });
    return '';
  });
  if (replaced) notes.interpolated.push(path);
  // A value that was nothing but an unset variable is dropped, so optional fields stay
  // absent instead of becoming empty strings.
  return missing && result.trim() === '' ? UNSET : result;
}
