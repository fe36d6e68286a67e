import { describe, expect, it } from 'vitest';
import { atThreshold, recallAtCheapShare, rocAuc } from './metrics.ts';

const rows = [
  { score: 0.1, hard: false },
  { score: 0.2, hard: false },
  { score: 0.3, hard: true },
  { score: 0.4, hard: false },
  { score: 0.8, hard: true },
];

describe('metrics', () => {
  it('computes ROC AUC with ties counted half', () => {
    expect(rocAuc(rows)).toBeCloseTo(5 / 6); // hard 0.3 beats 2 of 3 easy, hard 0.8 beats all 3
    expect(rocAuc([{ score: 0.5, hard: true }, { score: 0.5, hard: false }])).toBe(0.5);
    expect(rocAuc([{ score: 1, hard: true }])).toBeNaN();
  });

  it('measures cheap share and hard recall at a threshold', () => {
    expect(atThreshold(rows, 0.35)).toEqual({ threshold: 0.35, cheapShare: 0.6, hardRecall: 0.5, randomHardRecall: 0.4 });
    expect(atThreshold(rows, 0)).toMatchObject({ cheapShare: 0, hardRecall: 1 });
  });

  it('finds the threshold for a cheap share', () => {
    expect(recallAtCheapShare(rows, 0.4)).toMatchObject({ threshold: 0.3, cheapShare: 0.4, hardRecall: 1 });
  });
});
