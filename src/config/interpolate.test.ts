import { describe, expect, it } from 'vitest';
import { interpolateEnv, UNSET, type UnsetVariable } from './interpolate.ts';

function run(value: unknown, env: NodeJS.ProcessEnv) {
  const unset: UnsetVariable[] = [];
  return { value: interpolateEnv(value, env, unset), unset };
}

describe('interpolateEnv', () => {
  it('replaces ${VAR} anywhere in a string, several times', () => {
    expect(run('${A}-${B}/${A}', { A: 'x', B: 'y' })).toEqual({ value: 'x-y/x', unset: [] });
  });

  it('uses the fallback when the variable is unset or empty, and the value when set', () => {
    expect(run('${A:-dflt}', {}).value).toBe('dflt');
    expect(run('${A:-dflt}', { A: '' }).value).toBe('dflt');
    expect(run('${A:-dflt}', { A: 'set' }).value).toBe('set');
    expect(run('${A:-}', {})).toEqual({ value: '', unset: [] });
    expect(run('${A:-a b:c}', {}).value).toBe('a b:c');
  });

  it('turns $${ into a literal ${ without reading the variable', () => {
    expect(run('$${A}', { A: 'x' })).toEqual({ value: '${A}', unset: [] });
    expect(run('pre $${A} ${A}', { A: 'x' }).value).toBe('pre ${A} x');
  });

  it('leaves text that is not a variable reference alone', () => {
    expect(run('$A ${1X} ${} cost: $5', {})).toEqual({ value: '$A ${1X} ${} cost: $5', unset: [] });
  });

  it('drops a key whose whole value was an unset variable, and reports its path', () => {
    const { value, unset } = run({ a: { b: '${NOPE}', c: 'keep' } }, {});
    expect(value).toEqual({ a: { c: 'keep' } });
    expect(unset).toEqual([{ path: ['a', 'b'], name: 'NOPE' }]);
  });

  it('keeps the rest of a string around an unset variable, and still reports it', () => {
    const { value, unset } = run({ url: 'https://${HOST}/v1' }, {});
    expect(value).toEqual({ url: 'https:///v1' });
    expect(unset).toEqual([{ path: ['url'], name: 'HOST' }]);
  });

  it('reports array indices as numbers in paths', () => {
    const { value, unset } = run({ list: ['ok', '${GONE}'] }, {});
    expect(unset).toEqual([{ path: ['list', 1], name: 'GONE' }]);
    expect((value as { list: unknown[] }).list[1]).toBe(UNSET);
  });

  it('passes non-string scalars through', () => {
    expect(run({ n: 1, b: false, z: null }, {}).value).toEqual({ n: 1, b: false, z: null });
  });

  it('does not interpolate keys', () => {
    expect(run({ '${A}': 'v' }, { A: 'x' }).value).toEqual({ '${A}': 'v' });
  });
});

// ---- references.ts ----
