import { describe, expect, it } from 'vitest';
import { fitLogistic, type Example } from '../scripts/logistic.ts';
import { DifficultyModel } from '../src/router/difficulty-model.ts';
import { featuresOf, WEIGHT_FLOORS } from '../src/router/features.ts';
import { rocAuc } from '../src/router/metrics.ts';
import { viewOfPrompt } from '../src/router/prompt-view.ts';

// The training code behind `npm run train-router`, on a small synthetic set: it learns a
// signal that is there, keeps cue floors, and gives the same weights every time.

const example = (prompt: string, hard: boolean): Example => ({ features: featuresOf(viewOfPrompt(prompt), 0), hard });
const easy = Array.from({ length: 40 }, (_, i) => example(`Name a colour number ${i}.`, false));
const hard = Array.from({ length: 10 }, (_, i) => example(`Compute x^${i} + ${i}*y = z and solve for x where z = ${i * 7}.`, true));
const options = { hashBits: 0, l2Dense: 1e-3, l2Hashed: 0, iterations: 150, learningRate: 0.05 };

describe('fitLogistic', () => {
  it('learns a separable signal, with balanced classes', () => {
    const file = fitLogistic([...easy, ...hard], options);
    const model = new DifficultyModel(file);
    const scored = [...easy, ...hard].map((e) => ({ score: model.scoreFeatures(e.features), hard: e.hard }));
    expect(rocAuc(scored)).toBe(1);
    // Balanced weights: the hard minority still lands over 0.5, the easy majority under it.
    expect(scored.filter((s) => s.hard).every((s) => s.score > 0.5)).toBe(true);
    expect(scored.filter((s) => !s.hard).every((s) => s.score < 0.5)).toBe(true);
  });

  it('keeps every cue weight at or above its floor', () => {
    const file = fitLogistic([...easy, ...hard], options);
    for (const [name, floor] of Object.entries(WEIGHT_FLOORS)) {
      expect(file.dense.find((d) => d.name === name)!.weight).toBeGreaterThanOrEqual(floor);
    }
  });

  it('is deterministic', () => {
    expect(JSON.stringify(fitLogistic([...easy, ...hard], options))).toBe(JSON.stringify(fitLogistic([...easy, ...hard], options)));
  });
});
