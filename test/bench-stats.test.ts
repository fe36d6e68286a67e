import { describe, expect, it } from 'vitest';
import { difference, percentileOfSorted, summarize } from '../bench/stats.ts';

describe('bench percentiles', () => {
  it('uses nearest rank on 1..100', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(sorted, 50)).toBe(50);
    expect(percentileOfSorted(sorted, 90)).toBe(90);
    expect(percentileOfSorted(sorted, 99)).toBe(99);
    expect(percentileOfSorted(sorted, 99.9)).toBe(100);
    expect(percentileOfSorted(sorted, 100)).toBe(100);
    expect(percentileOfSorted(sorted, 0)).toBe(1);
  });

  it('handles tiny and empty inputs', () => {
    expect(percentileOfSorted([7], 99)).toBe(7);
    expect(percentileOfSorted([1, 2], 50)).toBe(1);
    expect(percentileOfSorted([1, 2], 51)).toBe(2);
    expect(summarize([]).p50).toBeNaN();
  });

  it('summarizes unsorted samples without mutating them', () => {
    const samples = [5, 1, 4, 2, 3];
    const s = summarize(samples);
    expect(samples).toEqual([5, 1, 4, 2, 3]);
    expect(s).toMatchObject({ count: 5, min: 1, max: 5, p50: 3, mean: 3 });
  });

  it('keeps a single outlier visible at p99 only when it is >1% of samples', () => {
    const samples = [...Array.from({ length: 999 }, () => 1), 1000];
    expect(summarize(samples).p99).toBe(1);
    expect(summarize(samples).max).toBe(1000);
    expect(summarize(samples.slice(-50)).p99).toBe(1000);
  });

  it('differences percentile by percentile', () => {
    const direct = summarize([1, 2, 3, 4]);
    const gateway = summarize([2, 4, 6, 8]);
    expect(difference(direct, gateway)).toMatchObject({ p50: 2, max: 4, min: 1 });
  });
});
