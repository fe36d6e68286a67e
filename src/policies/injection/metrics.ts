// Detection figures: true-positive rate (recall of injections), false-positive rate (benign
// texts flagged) and balanced accuracy (their mean), at a threshold.

export interface Scored {
  readonly score: number;
  readonly injection: boolean;
}

export interface Rates {
  readonly injections: number;
  readonly benign: number;
  /** NaN when there is no row of that class. */
  readonly tpr: number;
  readonly fpr: number;
  readonly balancedAccuracy: number;
}

export function ratesAt(rows: readonly Scored[], threshold: number): Rates {
  let tp = 0;
  let fp = 0;
  let injections = 0;
  for (const r of rows) {
    if (r.injection) {
      injections++;
      if (r.score >= threshold) tp++;
    } else if (r.score >= threshold) fp++;
  }
  const benign = rows.length - injections;
  const tpr = injections === 0 ? Number.NaN : tp / injections;
  const fpr = benign === 0 ? Number.NaN : fp / benign;
  const parts = [tpr, Number.isNaN(fpr) ? Number.NaN : 1 - fpr].filter((x) => !Number.isNaN(x));
  return { injections, benign, tpr, fpr, balancedAccuracy: parts.length === 0 ? Number.NaN : parts.reduce((a, b) => a + b, 0) / parts.length };
}

/** The lowest threshold (on a 0.01 grid) whose false-positive rate is at most `maxFpr`. */
export function thresholdForFpr(rows: readonly Scored[], maxFpr: number): number {
  for (let t = 1; t <= 99; t++) if (ratesAt(rows, t / 100).fpr <= maxFpr) return t / 100;
  return 0.99;
}

export const percent = (x: number) => (Number.isNaN(x) ? '     -' : `${(x * 100).toFixed(1)}%`.padStart(6));
