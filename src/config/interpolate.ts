// `${NAME}` in any YAML string is replaced by the environment variable NAME;
// `${NAME:-fallback}` uses the fallback when NAME is unset or empty; `$${` escapes a literal `${`.
// Unset variables are reported with the config path that used them, so the loader can
// decide: a provider's apiKey disables that provider, anywhere else it is a config error.

export interface UnsetVariable {
  path: (string | number)[];
  name: string;
}

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Marker left where an unset variable was the whole value, so the schema can see "missing". */
export const UNSET = Symbol('unset environment variable');

export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  unset: UnsetVariable[],
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') return interpolateString(value, env, unset, path);
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, env, unset, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const next = interpolateEnv(item, env, unset, [...path, key]);
      if (next !== UNSET) out[key] = next;
    }
    return out;
  }
  return value;
}

function interpolateString(
  value: string,
  env: NodeJS.ProcessEnv,
  unset: UnsetVariable[],
  path: (string | number)[],
): string | typeof UNSET {
  let missing = false;
  const result = value.replace(PATTERN, (whole, name: string | undefined, fallback: string | undefined) => {
    if (whole === '$${') return '${';
    const found = env[name!];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    missing = true;
    unset.push({ path, name: name! });
    return '';
  });
  // A value that was nothing but an unset variable is dropped, so optional fields stay
  // absent instead of becoming empty strings.
  return missing && result.trim() === '' ? UNSET : result;
}
