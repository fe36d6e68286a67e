// Checks that names used in one section exist in another. It reads the raw (unvalidated)
// config defensively so it can run even when the schema failed, and so `check-config`
// prints every problem in one pass.

export interface ReferenceProblem {
  path: (string | number)[];
  message: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const unknownProvider = (name: string, providers: Record<string, unknown>) =>
  `unknown provider "${name}" (configured: ${Object.keys(providers).join(', ') || 'none'})`;

export function referenceProblems(raw: unknown): ReferenceProblem[] {
  if (!isRecord(raw)) return [];
  const problems: ReferenceProblem[] = [];
  const providers = isRecord(raw.providers) ? raw.providers : {};
  const models = isRecord(raw.models) ? raw.models : {};
  const tenants = isRecord(raw.tenants) ? raw.tenants : {};

  for (const [alias, model] of Object.entries(models)) {
    if (isRecord(model) && isRecord(model.router)) problems.push(...routerProblems(alias, model.router, models));
    const targets = isRecord(model) && Array.isArray(model.targets) ? model.targets : [];
    targets.forEach((target: unknown, i) => {
      if (!isRecord(target) || typeof target.provider !== 'string' || Object.hasOwn(providers, target.provider)) return;
      problems.push({
        path: ['models', alias, 'targets', i, 'provider'],
        message: unknownProvider(target.provider, providers),
      });
    });
    const shadow = isRecord(model) ? model.shadow : undefined;
    if (isRecord(shadow) && typeof shadow.provider === 'string' && !Object.hasOwn(providers, shadow.provider)) {
      problems.push({ path: ['models', alias, 'shadow', 'provider'], message: unknownProvider(shadow.provider, providers) });
    }
  }

  const owners = new Map<string, string>();
  for (const [tenant, spec] of Object.entries(tenants)) {
    if (!isRecord(spec)) continue;
    const allowed: unknown[] = Array.isArray(spec.models) ? spec.models : [];
    allowed.forEach((alias, i) => {
      if (typeof alias === 'string' && alias !== '*' && !Object.hasOwn(models, alias)) {
        problems.push({ path: ['tenants', tenant, 'models', i], message: `unknown model "${alias}"` });
      }
    });
    const budgets: unknown[] = Array.isArray(spec.budgets) ? spec.budgets : [];
    budgets.forEach((budget, i) => {
      if (isRecord(budget) && typeof budget.model === 'string' && !Object.hasOwn(models, budget.model)) {
        problems.push({ path: ['tenants', tenant, 'budgets', i, 'model'], message: `unknown model "${budget.model}" (a budget names a model alias)` });
      }
    });
    const keys: unknown[] = Array.isArray(spec.keys) ? spec.keys : [];
    keys.forEach((hash, i) => {
      if (typeof hash !== 'string') return;
      const owner = owners.get(hash);
      if (owner === tenant) {
        problems.push({ path: ['tenants', tenant, 'keys', i], message: 'this key is listed twice' });
      } else if (owner !== undefined) {
        problems.push({
          path: ['tenants', tenant, 'keys', i],
          message: `this key already belongs to tenant "${owner}"; a key must identify one tenant`,
        });
      }
      owners.set(hash, tenant);
    });
  }
  // The Redis cache lives where the rest of the shared state does.
  const cache = raw.cache;
  if (isRecord(cache) && cache.kind === 'redis' && !(isRecord(raw.state) && raw.state.kind === 'redis')) {
    problems.push({ path: ['cache', 'kind'], message: 'cache kind "redis" uses state.url: set state: { kind: redis, url: ... }' });
  }
  return problems;
}

/** A router's sides must be aliases with targets of their own: routers do not nest. */
function routerProblems(alias: string, router: Record<string, unknown>, models: Record<string, unknown>): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  for (const side of ['cheap', 'strong'] as const) {
    const name = router[side];
    if (typeof name !== 'string') continue;
    const path = ['models', alias, 'router', side];
    const target = Object.hasOwn(models, name) ? models[name] : undefined;
    if (target === undefined) problems.push({ path, message: `unknown model "${name}"` });
    else if (isRecord(target) && !Array.isArray(target.targets)) {
      problems.push({ path, message: `"${name}" is not a model with targets (a router's sides cannot be routers)` });
    }
  }
  return problems;
}
