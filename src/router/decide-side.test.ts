import { describe, expect, it } from 'vitest';
import { decideSide, routeHeader, type DecisionInput } from './decide-side.ts';
import { DifficultyModel, type ModelFile } from './difficulty-model.ts';
import { DENSE_FEATURES } from './features.ts';
import { viewOfPrompt } from './prompt-view.ts';
import { RunSides } from './run-sides.ts';

// A model whose score is fixed by the bias alone: sigmoid(bias).
const fixedModel = (score: number) => {
  const file: ModelFile = {
    version: 1,
    hashBits: 0,
    bias: Math.log(score / (1 - score)),
    dense: DENSE_FEATURES.map((name) => ({ name, mean: 0, scale: 1, weight: 0 })),
    hashed: [],
  };
  return new DifficultyModel(file);
};

const input = (over: Partial<DecisionInput> = {}): DecisionInput => ({
  requested: 'auto',
  router: { cheap: 'small', strong: 'big', threshold: 0.5 },
  view: () => viewOfPrompt('x'),
  forced: undefined,
  runKey: undefined,
  isLive: () => true,
  ...over,
});

describe('decideSide', () => {
  it('sends a score under the threshold cheap, and at or over it strong', () => {
    const runs = new RunSides();
    expect(decideSide(input(), fixedModel(0.3), runs)).toEqual({ requested: 'auto', side: 'cheap', alias: 'small', score: expect.closeTo(0.3), threshold: 0.5, reason: 'score' });
    expect(decideSide(input(), fixedModel(0.7), runs)).toMatchObject({ side: 'strong', alias: 'big', reason: 'score' });
    expect(decideSide(input({ router: { cheap: 'small', strong: 'big', threshold: 0.8 } }), fixedModel(0.7), runs)).toMatchObject({ side: 'cheap' });
    expect(decideSide(input({ router: { cheap: 'small', strong: 'big', threshold: 0 } }), fixedModel(0.01), runs)).toMatchObject({ side: 'strong' });
  });

  it('lets the client force a side, without scoring or remembering it', () => {
    const runs = new RunSides();
    let scored = false;
    const view = () => {
      scored = true;
      return viewOfPrompt('x');
    };
    expect(decideSide(input({ forced: 'strong', view, runKey: 'r' }), fixedModel(0.1), runs)).toEqual({
      requested: 'auto', side: 'strong', alias: 'big', score: undefined, threshold: 0.5, reason: 'forced',
    });
    expect(scored).toBe(false);
    expect(runs.size).toBe(0);
  });

  it('keeps a run on the side of its first decision', () => {
    const runs = new RunSides();
    expect(decideSide(input({ runKey: 'run-1' }), fixedModel(0.2), runs)).toMatchObject({ side: 'cheap', reason: 'score' });
    // Later, harder turns of the same run stay cheap; another run is scored afresh.
    expect(decideSide(input({ runKey: 'run-1' }), fixedModel(0.9), runs)).toMatchObject({ side: 'cheap', reason: 'run', score: expect.closeTo(0.9) });
    expect(decideSide(input({ runKey: 'run-2' }), fixedModel(0.9), runs)).toMatchObject({ side: 'strong', reason: 'score' });
    // Forcing still wins within a run.
    expect(decideSide(input({ runKey: 'run-1', forced: 'strong' }), fixedModel(0.2), runs)).toMatchObject({ side: 'strong', reason: 'forced' });
  });

  it('uses the other side when the chosen one has no live provider', () => {
    const runs = new RunSides();
    expect(decideSide(input({ isLive: (a) => a !== 'small' }), fixedModel(0.1), runs)).toMatchObject({ side: 'strong', alias: 'big', reason: 'unavailable' });
    // Neither live: keep the decision; routing then answers model_unavailable.
    expect(decideSide(input({ isLive: () => false }), fixedModel(0.1), runs)).toMatchObject({ side: 'cheap', reason: 'score' });
  });

  it('formats the response header', () => {
    expect(routeHeader({ requested: 'auto', side: 'cheap', alias: 'small', score: 0.31234, threshold: 0.5, reason: 'score' })).toBe('cheap; score=0.312; threshold=0.5; reason=score');
    expect(routeHeader({ requested: 'auto', side: 'strong', alias: 'big', score: undefined, threshold: 0.5, reason: 'forced' })).toBe('strong; threshold=0.5; reason=forced');
  });
});

describe('RunSides', () => {
  it('forgets the least recently used run beyond its bound', () => {
    const runs = new RunSides({ maxRuns: 2, idleMs: 1000 }, () => 0);
    runs.set('a', 'cheap');
    runs.set('b', 'strong');
    expect(runs.get('a')).toBe('cheap'); // a is now the most recent
    runs.set('c', 'cheap');
    expect(runs.size).toBe(2);
    expect(runs.get('b')).toBeUndefined();
    expect(runs.get('a')).toBe('cheap');
    expect(runs.get('c')).toBe('cheap');
  });

  it('forgets a run idle longer than its expiry', () => {
    let now = 0;
    const runs = new RunSides({ maxRuns: 10, idleMs: 1000 }, () => now);
    runs.set('a', 'strong');
    now = 900;
    expect(runs.get('a')).toBe('strong'); // use refreshes it
    now = 1800;
    expect(runs.get('a')).toBe('strong');
    now = 2801;
    expect(runs.get('a')).toBeUndefined();
    expect(runs.size).toBe(0);
  });

  it('drops idle runs when new ones arrive, keeping memory bounded', () => {
    let now = 0;
    const runs = new RunSides({ maxRuns: 1000, idleMs: 10 }, () => now);
    for (let i = 0; i < 100; i++) runs.set(`old-${i}`, 'cheap');
    now = 100;
    runs.set('new', 'strong');
    expect(runs.size).toBe(1);
  });
});
