import { describe, expect, it } from 'vitest';
import { hashKey } from './keys.ts';
import { referenceProblems } from './references.ts';

const KEY_A = hashKey('key-a');

describe('referenceProblems', () => {
  it('finds nothing wrong in a consistent config', () => {
    expect(
      referenceProblems({
        providers: { p: {} },
        models: { m: { targets: [{ provider: 'p', model: 'x' }] } },
        tenants: { t: { keys: ['k1'], models: ['m', '*'] } },
      }),
    ).toEqual([]);
  });

  it('tolerates a config of the wrong shape', () => {
    expect(referenceProblems(null)).toEqual([]);
    expect(referenceProblems([1, 2])).toEqual([]);
    expect(referenceProblems({ providers: 3, models: { m: 'x', n: { targets: 'no' } }, tenants: { t: 5 } })).toEqual([]);
  });

  it('reports a target naming an unknown provider, listing the configured ones', () => {
    expect(
      referenceProblems({
        providers: { a: {}, b: {} },
        models: { m: { targets: [{ provider: 'a', model: 'x' }, { provider: 'c', model: 'y' }] } },
      }),
    ).toEqual([{ path: ['models', 'm', 'targets', 1, 'provider'], message: 'unknown provider "c" (configured: a, b)' }]);
  });

  it('reports an unknown model in a tenant', () => {
    expect(referenceProblems({ models: { m: {} }, tenants: { t: { keys: [], models: ['m', 'zz'] } } })).toEqual([
      { path: ['tenants', 't', 'models', 1], message: 'unknown model "zz"' },
    ]);
  });

  it('reports a key hash shared by two tenants at the second one', () => {
    expect(referenceProblems({ tenants: { a: { keys: ['h1', 'h2'] }, b: { keys: ['h3', 'h2'] } } })).toEqual([
      {
        path: ['tenants', 'b', 'keys', 1],
        message: 'this key already belongs to tenant "a"; a key must identify one tenant',
      },
    ]);
  });
});

describe('referenceProblems: names that are Object.prototype members', () => {
  // BUG: references.ts checks with `name in providers` / `alias in models` on plain objects,
  // so inherited names ("constructor", "toString", ...) count as configured and are not reported.
  it('reports a target naming provider "constructor"', () => {
    const problems = referenceProblems({ providers: { p: {} }, models: { m: { targets: [{ provider: 'constructor', model: 'x' }] } } });
    expect(problems).toHaveLength(1);
  });

  it('reports a tenant naming model "toString"', () => {
    const problems = referenceProblems({ models: { m: {} }, tenants: { t: { keys: [], models: ['toString'] } } });
    expect(problems).toHaveLength(1);
  });
});

// ---- keys.ts ----
