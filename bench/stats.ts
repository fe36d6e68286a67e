// Exact percentiles over a sorted copy of the samples. A run holds at most a few tens of thousands
// of latencies, so sorting is cheaper and simpler than a histogram and loses no precision.

export interface Summary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array: the smallest sample ≥ p% of all samples. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0]!;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const n = sorted.length;
  return {
    count: n,
    mean: n === 0 ? Number.NaN : sum / n,
    min: n === 0 ? Number.NaN : sorted[0]!,
    p50: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p99: percentileOfSorted(sorted, 99),
    p999: percentileOfSorted(sorted, 99.9),
    max: n === 0 ? Number.NaN : sorted[n - 1]!,
  };
}

/** Percentile-by-percentile difference (b − a): the latency the gateway adds at each percentile. */
export function difference(a: Summary, b: Summary): Omit<Summary, 'count'> {
  return {
    mean: b.mean - a.mean,
    min: b.min - a.min,
    p50: b.p50 - a.p50,
    p90: b.p90 - a.p90,
    p99: b.p99 - a.p99,
    p999: b.p999 - a.p999,
    max: b.max - a.max,
  };
}
