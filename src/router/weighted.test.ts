import { describe, expect, it } from 'vitest';
import { RunAffinity, runKeyOf } from './run-affinity.ts';
import { orderByWeight } from './weighted.ts';

interface T {
  name: string;
  weight?: number;
}
const weightOf = (t: T) => t.weight;
const names = (ts: T[]) => ts.map((t) => t.name).join(',');
const targets: T[] = [{ name: 'a', weight: 3 }, { name: 'b', weight: 1 }, { name: 'local' }, { name: 'c', weight: 1 }];

describe('orderByWeight', () => {
  it('chooses within each group by weight and keeps the rest of the group, then fallbacks, in order', () => {
    expect(names(orderByWeight(targets, weightOf, { random: () => 0 }))).toBe('a,b,local,c');
    expect(names(orderByWeight(targets, weightOf, { random: () => 0.74 }))).toBe('a,b,local,c');
    expect(names(orderByWeight(targets, weightOf, { random: () => 0.76 }))).toBe('b,a,local,c');
    expect(names(orderByWeight(targets, weightOf, { random: () => 0.999 }))).toBe('b,a,local,c');
  });

  it('honours weights within tolerance over many draws', () => {
    let a = 0;
    for (let i = 0; i < 20_000; i++) if (orderByWeight(targets, weightOf)[0]!.name === 'a') a++;
    expect(a / 20_000).toBeGreaterThan(0.72);
    expect(a / 20_000).toBeLessThan(0.78);
  });

  it('a pinned target in the group is chosen whatever the draw', () => {
    expect(names(orderByWeight(targets, weightOf, { random: () => 0, pinned: (t) => t.name === 'b' }))).toBe('b,a,local,c');
    expect(names(orderByWeight(targets, weightOf, { random: () => 0, pinned: (t) => t.name === 'gone' }))).toBe('a,b,local,c');
  });

  it('leaves unweighted lists alone', () => {
    expect(names(orderByWeight([{ name: 'x' }, { name: 'y' }], weightOf))).toBe('x,y');
  });
});

describe('RunAffinity', () => {
  it('pins a run to the first target it used, per alias', () => {
    const runs = new RunAffinity();
    runs.pin('run-1', 'gpt', 'openai/gpt-4o');
    runs.pin('run-1', 'gpt', 'azure/gpt-4o');
    expect(runs.get('run-1', 'gpt')).toBe('openai/gpt-4o');
    expect(runs.get('run-1', 'other')).toBeUndefined();
  });

  it('forgets idle runs and stays within its size', () => {
    let now = 0;
    const runs = new RunAffinity({ maxEntries: 3, idleMs: 1000, now: () => now });
    for (let i = 0; i < 10; i++) runs.pin(`run-${i}`, 'gpt', 't');
    expect(runs.size).toBe(3);
    expect(runs.get('run-0', 'gpt')).toBeUndefined();
    expect(runs.get('run-9', 'gpt')).toBe('t');
    now = 1001;
    expect(runs.get('run-9', 'gpt')).toBeUndefined();
    runs.pin('run-x', 'gpt', 't');
    expect(runs.size).toBe(1);
  });

  it('keeps two tenants with the same run id apart', () => {
    const runs = new RunAffinity();
    runs.pin(runKeyOf('team-a', 'run-1'), 'gpt', 'azure/gpt-4o');
    expect(runs.get(runKeyOf('team-b', 'run-1'), 'gpt')).toBeUndefined();
    expect(runs.get(runKeyOf('team-a', 'run-1'), 'gpt')).toBe('azure/gpt-4o');
  });
});
